/** JSON rules shared by the REST API and the agent protocol. */
package dev.flotilla.api.json;
