package dev.flotilla.service.auth;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

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

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        return augment(identity, context, Map.of());
    }

    @Override
    public Uni<SecurityIdentity> augment(
            SecurityIdentity identity, AuthenticationRequestContext context, Map<String, Object> attributes) {
        String subject = identity.isAnonymous() ? null : identity.getAttribute(Actor.SUBJECT);
        if (subject == null || identity.getAttribute(Actor.ORG) != null) {
            return Uni.createFrom().item(identity);
        }
        RoutingContext http = HttpSecurityUtils.getRoutingContextAttribute(attributes);
        String header = http == null ? null : http.request().getHeader(ORG_HEADER);
        Cookie cookie = http == null ? null : http.request().getCookie(ORG_COOKIE);
        String wanted = header != null ? header : cookie == null ? null : cookie.getValue();
        return context.runBlocking(() -> orgs.choose(subject, wanted, header != null)
                .map(m -> Identities.inOrg(identity, m.orgId(), m.role()))
                .orElse(identity));
    }
}
