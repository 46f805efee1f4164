package dev.flotilla.service.org;

import java.util.Optional;

/**
 * Where people's and service accounts' sign-in identities live: with Keycloak sign-in, the realm
 * (through its admin API, {@link KeycloakDirectory}); with local accounts, Flotilla itself, which
 * needs nothing done ahead of time.
 */
public interface IdentityDirectory {
    /**
     * Makes sure a person with this email address can sign in. Returns the id of their user and,
     * for a user created just now, the temporary password the identity provider makes them change
     * at first sign-in (empty when the user existed already).
     */
    Prepared prepare(String email);

    record Prepared(String userId, Optional<String> temporaryPassword) {}

    /** Creates a confidential client with a service account (client credentials grant); returns its secret. */
    String createServiceClient(String clientId, String description);

    /** Deletes a service account's client, if it exists: its tokens are refused from then on. */
    void deleteServiceClient(String clientId);
}
