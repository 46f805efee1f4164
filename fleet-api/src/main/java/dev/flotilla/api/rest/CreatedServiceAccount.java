package dev.flotilla.api.rest;

/**
 * A new service account. {@code clientSecret} is shown in this response only. Get a token with
 * {@code POST tokenUrl} ({@code grant_type=client_credentials}, the client id and secret) and send
 * it as {@code Authorization: Bearer ...}.
 */
public record CreatedServiceAccount(MemberView member, String clientId, String clientSecret, String tokenUrl) {}
