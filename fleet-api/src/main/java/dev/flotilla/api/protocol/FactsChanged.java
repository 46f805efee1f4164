package dev.flotilla.api.protocol;

/**
 * Agent → service: the host's facts changed since hello (an address, the memory, the OS version
 * after an update). Sent only when they differ from what was last sent.
 *
 * @param facts the facts as they are now
 */
public record FactsChanged(Facts facts) implements Frame {}
