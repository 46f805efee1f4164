package dev.flotilla.service.org;

/**
 * Where people's and service accounts' sign-in identities live: with Keycloak sign-in, the realm
 * (through its admin API, {@link KeycloakDirectory}); with local accounts, Flotilla itself, which
 * needs nothing done ahead of time.
 */
public interface IdentityDirectory {
    /**
     * Makes sure a person with this email address can sign in, and returns the id of their user.
     * A user created now has no password and an unverified address: the identity provider emails
     * them a link to verify it and choose a password. Nobody else ever sees a password of theirs,
     * and no one can take an address they do not own.
     */
    Prepared prepare(String email);

    record Prepared(String userId) {}

    /** Creates a confidential client with a service account (client credentials grant); returns its secret. */
    String createServiceClient(String clientId, String description);

    /** Deletes a service account's client, if it exists: its tokens are refused from then on. */
    void deleteServiceClient(String clientId);
}
