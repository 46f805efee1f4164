package dev.flotilla.api.protocol;

/**
 * Sent before the service closes a connection because of something the agent did.
 *
 * @param code a stable, machine-readable reason such as {@code bad-frame}
 * @param message what went wrong, for a person reading the agent's log
 */
public record ErrorFrame(String code, String message) implements Frame {}
