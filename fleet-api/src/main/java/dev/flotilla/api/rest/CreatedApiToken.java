package dev.flotilla.api.rest;

/** A new API token and its secret, shown this once. Send it as {@code Authorization: Bearer <secret>}. */
public record CreatedApiToken(ApiTokenView token, String secret) {}
