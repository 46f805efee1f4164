package dev.flotilla.api.rest;

/**
 * A Keycloak service account for automation: a confidential client that signs in with the client
 * credentials grant, a member of this organization with {@code role} (not owner).
 *
 * @param name lower-case letters, digits and dashes; the client id is {@code flotilla-<org>-<name>}
 */
public record NewServiceAccount(String name, String role) {}
