package dev.flotilla.api.rest;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * How people sign in to this service, for clients that sign someone in (the {@code flotilla} CLI's
 * {@code login}). Anyone may read it: it holds no secret.
 *
 * @param mode {@code local} (accounts kept by Flotilla: clients use API tokens made in the
 *        dashboard) or {@code oidc} (Keycloak)
 * @param issuer (oidc only) the Keycloak realm's URL, the issuer of the access tokens the API takes
 * @param cliClientId (oidc only) the realm's public client for the OAuth 2.0 device authorization
 *        grant (RFC 8628) that command-line clients sign people in with
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SignInView(String mode, String issuer, String cliClientId) {}
