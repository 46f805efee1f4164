package dev.flotilla.api.protocol;

/**
 * The service issues the machine a new credential (protocol 2). The agent saves it atomically and
 * answers {@link CredentialSaved}; until then the old credential keeps working, and a reconnect
 * with the new one confirms it as well.
 *
 * @param credential the new machine credential ({@code flm_...})
 */
public record NewCredential(String credential) implements Frame {}
