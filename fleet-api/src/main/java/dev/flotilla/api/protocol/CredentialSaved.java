package dev.flotilla.api.protocol;

/** The agent saved the credential of {@link NewCredential}: the old one stops working now. */
public record CredentialSaved() implements Frame {}
