package dev.flotilla.service.auth;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.inject.Inject;

import dev.flotilla.service.audit.AuditLog;
import dev.flotilla.service.common.AuthMode;
import dev.flotilla.service.org.Membership;
import dev.flotilla.service.org.OrgService;
import io.quarkus.security.AuthenticationRedirectException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.smallrye.mutiny.Uni;

/** Checks the dashboard's form sign-in against local accounts; every attempt goes to the audit log. */
@ApplicationScoped
public class AccountIdentityProvider implements IdentityProvider<UsernamePasswordAuthenticationRequest> {
    @Inject
    AccountService accounts;

    @Inject
    AuthMode authMode;

    @Inject
    OrgService orgs;

    @Inject
    AuditLog audit;

    @Inject
    dev.flotilla.service.common.Throttle throttle;

    /** Password guessing: failures counted over 15 minutes, per replica ({@link Guessing}). */
    static final java.time.Duration GUESS_WINDOW = java.time.Duration.ofMinutes(15);

    @Inject
    SignInConfig config;

    @Override
    public Class<UsernamePasswordAuthenticationRequest> getRequestType() {
        return UsernamePasswordAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(
            UsernamePasswordAuthenticationRequest request, AuthenticationRequestContext context) {
        String ip = AuditLog.sourceIp(request);
        String name = name(request.getUsername());
        Duration wait =
                Guessing.delay(throttle.count(nameKey(AccountService.subject(name)), GUESS_WINDOW), config.maxDelay());
        Uni<SecurityIdentity> check = context.runBlocking(
                () -> check(request.getUsername(), request.getPassword().getPassword(), ip));
        // A name that failed lately waits before it is checked: on a timer, not on a thread.
        return wait.isZero()
                ? check
                : Uni.createFrom().voidItem().onItem().delayIt().by(wait).chain(() -> check);
    }

    @ActivateRequestContext
    SecurityIdentity check(String username, char[] password, String ip) {
        if (authMode.keycloak()) {
            // With Keycloak sign-in, local accounts do not sign in at all.
            throw new AuthenticationRedirectException(303, "/login");
        }
        String name = name(username);
        String subject = AccountService.subject(name);
        List<UUID> orgIds = orgs.of(subject).stream().map(Membership::orgId).toList();
        String userKey = nameKey(subject);
        String pairKey = "sign-in-failed:" + subject + "@" + ip;
        String ipKey = "sign-in-failed-from:" + ip;
        if (Guessing.refused(
                throttle.count(pairKey, GUESS_WINDOW),
                throttle.count(ipKey, GUESS_WINDOW),
                config.maxFailuresPerUserAndAddress(),
                config.maxFailuresPerAddress())) {
            // Password guessing: refused without looking at the password until the window passes.
            record(orgIds, subject, name, "too many failed sign-ins; wait 15 minutes", ip);
            throw new AuthenticationRedirectException(303, "/login/failed");
        }
        Optional<SecurityIdentity> identity = accounts.authenticate(username, password);
        if (identity.isPresent()) {
            throttle.clear(userKey);
            throttle.clear(pairKey);
            for (UUID org : orgIds) {
                audit.event(org, subject, "sign-in", true, "account", name, null, ip);
            }
            if (orgIds.isEmpty()) {
                audit.event(null, subject, "sign-in", true, "account", name, null, ip);
            }
            return identity.get();
        }
        throttle.note(userKey, 64); // enough to reach the longest delay
        throttle.note(pairKey, config.maxFailuresPerUserAndAddress());
        throttle.note(ipKey, config.maxFailuresPerAddress());
        record(orgIds, subject, name, orgIds.isEmpty() ? "wrong user name or password" : "wrong password", ip);
        // Only the dashboard's sign-in form asks for this: a failure goes back to the form, with the error shown.
        throw new AuthenticationRedirectException(303, "/login/failed");
    }

    private static String name(String username) {
        return username == null ? "" : username.length() > 100 ? username.substring(0, 100) : username;
    }

    private static String nameKey(String subject) {
        return "sign-in-failed-name:" + subject;
    }

    /** A refused sign-in, in each of the person's organizations (or the platform's log for an unknown name). */
    private void record(List<UUID> orgIds, String subject, String name, String why, String ip) {
        if (orgIds.isEmpty()) {
            audit.refusal(null, subject, "sign-in", "account", name, why, ip);
        }
        for (UUID org : orgIds) {
            audit.refusal(org, subject, "sign-in", "account", name, why, ip);
        }
    }
}
