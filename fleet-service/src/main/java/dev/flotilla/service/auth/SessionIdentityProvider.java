package dev.flotilla.service.auth;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.inject.Inject;

import dev.flotilla.service.common.AuthMode;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TrustedAuthenticationRequest;
import io.smallrye.mutiny.Uni;

/** Restores a signed-in person from the dashboard's encrypted session cookie. */
@ApplicationScoped
public class SessionIdentityProvider implements IdentityProvider<TrustedAuthenticationRequest> {
    @Inject
    AccountService accounts;

    @Inject
    AuthMode authMode;

    @Override
    public Class<TrustedAuthenticationRequest> getRequestType() {
        return TrustedAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(
            TrustedAuthenticationRequest request, AuthenticationRequestContext context) {
        return context.runBlocking(() -> check(request.getPrincipal()));
    }

    @ActivateRequestContext
    SecurityIdentity check(String username) {
        if (authMode.keycloak()) {
            throw new AuthenticationFailedException("local sessions are off with Keycloak sign-in");
        }
        return accounts.identityOf(username)
                .orElseThrow(() -> new AuthenticationFailedException("account no longer exists"));
    }
}
