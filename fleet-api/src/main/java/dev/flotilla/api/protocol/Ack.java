package dev.flotilla.api.protocol;

/**
 * Service → agent: everything up to {@code seq} is stored; the agent may forget it.
 *
 * @param seq the highest sequence number stored
 */
public record Ack(long seq) implements Frame {}
