package dev.flotilla.api.rest;

/**
 * A new FleetLock base URL, shown this once: Zincati's {@code fleet_lock} strategy takes it as its
 * {@code base_url}; the secret in it names the organization.
 *
 * @param id the URL's id, to list and revoke it by
 * @param url the base URL with its secret
 */
public record CreatedFleetLockUrl(String id, String url) {}
