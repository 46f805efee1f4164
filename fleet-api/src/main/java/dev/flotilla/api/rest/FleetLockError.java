package dev.flotilla.api.rest;

/**
 * An error in FleetLock's own shape (Zincati's protocol), not problem+json: Zincati logs {@code
 * kind} and {@code value}.
 *
 * @param kind what went wrong, e.g. {@code failed_lock}
 * @param value the details in words
 */
public record FleetLockError(String kind, String value) {}
