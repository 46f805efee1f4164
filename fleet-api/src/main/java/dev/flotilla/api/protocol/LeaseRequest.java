package dev.flotilla.api.protocol;

/**
 * Agent → service: may this machine update (and reboot) now? Answered by a {@link LeaseReply}
 * with the same id. A machine that holds a lease gets it again (leases are recursive).
 *
 * @param requestId chosen by the agent, at most 100 characters
 */
public record LeaseRequest(String requestId) implements Frame {}
