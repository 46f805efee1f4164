package dev.flotilla.service.auth;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.jwt.JsonWebToken;

import dev.flotilla.service.org.OrgService;
import dev.flotilla.service.tenant.Actor;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.Cookie;
import io.vertx.ext.web.RoutingContext;

/**
 * Gives a signed-in person (local account or Keycloak user) the organization they act in and their
 * role there, read again at every request, so that a removed member or a changed role takes effect
 * at once. The organization is the one named by the {@code Flotilla-Org} header (slug or id; a
 * person who is not a member of it gets none), else the dashboard's {@code flotilla_org} cookie
 * (set by the organization switcher), else the person's oldest membership.
 */
@ApplicationScoped
public class MembershipAugmentor implements SecurityIdentityAugmentor {
    public static final String ORG_HEADER = "Flotilla-Org";
    public static final String ORG_COOKIE = "flotilla_org";

    @Inject
    OrgService orgs;

    /**
     * A Keycloak user (the dashboard's ID token, or an access token on the API) as a person
     * {@code oidc:<sub>}; a client-credentials token as the service account {@code client:<client id>}.
     * The email address counts only when Keycloak says it is verified.
     */
    static SecurityIdentity fromKeycloak(SecurityIdentity identity) {
        if (!(identity.getPrincipal() instanceof JsonWebToken jwt) || jwt.getSubject() == null) {
            return null;
        }
        String username = jwt.getClaim("preferred_username");
        String clientId = jwt.getClaim("azp");
        if (username != null && username.startsWith("service-account-") && clientId != null) {
            return Identities.person(identity, "client:" + clientId, clientId, null);
        }
        String name = jwt.getClaim("name");
        Object verified = jwt.getClaim("email_verified");
        String email =
                Boolean.TRUE.equals(verified) || "true".equals(String.valueOf(verified)) ? jwt.getClaim("email") : null;
        String display = username != null ? username : name != null ? name : jwt.getSubject();
        display = display.length() > 200 ? display.substring(0, 200) : display;
        email = email != null && email.length() > 254 ? null : email;
        return Identities.person(identity, "oidc:" + jwt.getSubject(), display, email);
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        return augment(identity, context, Map.of());
    }

    @Override
    public Uni<SecurityIdentity> augment(
            SecurityIdentity identity, AuthenticationRequestContext context, Map<String, Object> attributes) {
        if (identity.isAnonymous() || identity.getAttribute(Actor.ORG) != null) {
            return Uni.createFrom().item(identity);
        }
        SecurityIdentity person = identity.getAttribute(Actor.SUBJECT) != null ? identity : fromKeycloak(identity);
        String subject = person == null ? null : person.getAttribute(Actor.SUBJECT);
        if (subject == null) {
            return Uni.createFrom().item(identity);
        }
        RoutingContext http = HttpSecurityUtils.getRoutingContextAttribute(attributes);
        String header = http == null ? null : http.request().getHeader(ORG_HEADER);
        Cookie cookie = http == null ? null : http.request().getCookie(ORG_COOKIE);
        String wanted = header != null ? header : cookie == null ? null : cookie.getValue();
        return context.runBlocking(() -> orgs.choose(subject, wanted, header != null)
                .map(m -> Identities.inOrg(person, m.orgId(), m.role()))
                .orElse(person));
    }
}
