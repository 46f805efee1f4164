/** What the Flotilla service, agent, CLI and load tests share. Depends on Jackson only. */
package dev.flotilla.api;
