package dev.flotilla.api.protocol;

/**
 * The agent is alive.
 *
 * @param seq the agent's heartbeat counter since it connected
 */
public record Heartbeat(long seq) implements Frame {}
