package dev.flotilla.service.auth;

import java.util.Optional;

/**
 * Where people's sign-in identities live, for invitations: with Keycloak sign-in, the realm (through
 * its admin API); with local accounts, Flotilla itself, which needs nothing done ahead of time.
 */
public interface IdentityDirectory {
    /**
     * Makes sure a person with this email address can sign in. Returns the temporary password of a
     * user created just now (the identity provider makes them change it at first sign-in), or empty
     * when one existed already or nothing needs creating.
     */
    Prepared prepare(String email);

    record Prepared(String userId, Optional<String> temporaryPassword) {}
}
