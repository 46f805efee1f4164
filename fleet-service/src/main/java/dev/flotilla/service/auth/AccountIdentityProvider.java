package dev.flotilla.service.auth;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.inject.Inject;

import dev.flotilla.service.audit.AuditLog;
import io.quarkus.security.AuthenticationRedirectException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;

/** Checks the dashboard's form sign-in against local accounts; every attempt goes to the audit log. */
@ApplicationScoped
public class AccountIdentityProvider implements IdentityProvider<UsernamePasswordAuthenticationRequest> {
    @Inject
    AccountService accounts;

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "flotilla.auth.mode", defaultValue = "local")
    String mode;

    @Inject
    OrgService orgs;

    @Inject
    AuditLog audit;

    @Override
    public Class<UsernamePasswordAuthenticationRequest> getRequestType() {
        return UsernamePasswordAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(
            UsernamePasswordAuthenticationRequest request, AuthenticationRequestContext context) {
        var http = HttpSecurityUtils.getRoutingContextAttribute(request);
        String ip = http == null || http.request().remoteAddress() == null
                ? null
                : http.request().remoteAddress().hostAddress();
        return context.runBlocking(
                () -> check(request.getUsername(), request.getPassword().getPassword(), ip));
    }

    @ActivateRequestContext
    SecurityIdentity check(String username, char[] password, String ip) {
        if ("oidc".equals(mode)) {
            // With Keycloak sign-in, local accounts do not sign in at all.
            throw new AuthenticationRedirectException(303, "/login");
        }
        Optional<SecurityIdentity> identity = accounts.authenticate(username, password);
        String name = username == null ? "" : username.length() > 100 ? username.substring(0, 100) : username;
        String subject = AccountService.subject(name);
        List<UUID> orgIds = orgs.of(subject).stream().map(Membership::orgId).toList();
        if (orgIds.isEmpty()) {
            // an unknown name, or a person in no organization yet: the platform's own log
            audit.event(
                    null,
                    subject,
                    "sign-in",
                    identity.isPresent(),
                    "account",
                    name,
                    identity.isPresent() ? null : "wrong user name or password",
                    ip);
        }
        for (UUID org : orgIds) {
            audit.event(
                    org,
                    subject,
                    "sign-in",
                    identity.isPresent(),
                    "account",
                    name,
                    identity.isPresent() ? null : "wrong password",
                    ip);
        }
        // Only the dashboard's sign-in form asks for this: a failure goes back to the form, with the error shown.
        return identity.orElseThrow(() -> new AuthenticationRedirectException(303, "/login/failed"));
    }
}
