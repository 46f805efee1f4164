package dev.flotilla.service.auth;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.inject.Inject;

import io.quarkus.security.AuthenticationRedirectException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.smallrye.mutiny.Uni;

/** Checks the dashboard's form sign-in against local accounts. */
@ApplicationScoped
public class AccountIdentityProvider implements IdentityProvider<UsernamePasswordAuthenticationRequest> {
    @Inject
    AccountService accounts;

    @Override
    public Class<UsernamePasswordAuthenticationRequest> getRequestType() {
        return UsernamePasswordAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(
            UsernamePasswordAuthenticationRequest request, AuthenticationRequestContext context) {
        return context.runBlocking(
                () -> check(request.getUsername(), request.getPassword().getPassword()));
    }

    @ActivateRequestContext
    SecurityIdentity check(String username, char[] password) {
        // Only the dashboard's sign-in form asks for this: a failure goes back to the form, with the error shown.
        return accounts.authenticate(username, password)
                .orElseThrow(() -> new AuthenticationRedirectException(303, "/login/failed"));
    }
}
