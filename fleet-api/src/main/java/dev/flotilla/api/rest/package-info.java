/** Request and response bodies of the REST API under {@code /api/v1}. */
package dev.flotilla.api.rest;
