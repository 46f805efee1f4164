package dev.flotilla.service.auth;

import java.util.UUID;

import dev.flotilla.service.tenant.Actor;
import dev.flotilla.service.tenant.Role;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;

/** Builds security identities: a token's (organization and role fixed), a person's (organization chosen per request). */
public final class Identities {
    private Identities() {}

    static SecurityIdentity of(String principal, String actor, UUID orgId, Role role, String vouchedBy) {
        QuarkusSecurityIdentity.Builder b = QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(principal))
                .addRoles(role.implied())
                .addAttribute(Actor.ORG, orgId)
                .addAttribute(Actor.ROLE, role)
                .addAttribute(Actor.NAME, actor);
        if (vouchedBy != null) {
            b.addAttribute(Actor.VOUCHED_BY, vouchedBy);
        }
        return b.build();
    }

    /**
     * A signed-in person before an organization is chosen: {@link MembershipAugmentor} adds the
     * organization and the role of their membership.
     */
    public static SecurityIdentity person(String subject, String displayName, String email) {
        return member(
                QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal(displayName)),
                subject,
                displayName,
                email);
    }

    /** An identity from elsewhere (Keycloak) as a member; its principal and credentials are kept. */
    static SecurityIdentity person(SecurityIdentity from, String subject, String displayName, String email) {
        // Built afresh, not from `from`: Keycloak's realm roles (an "admin" there) must not count here.
        return member(
                QuarkusSecurityIdentity.builder()
                        .setPrincipal(from.getPrincipal())
                        .addCredentials(from.getCredentials())
                        .addAttributes(from.getAttributes()),
                subject,
                displayName,
                email);
    }

    private static SecurityIdentity member(
            QuarkusSecurityIdentity.Builder b, String subject, String displayName, String email) {
        b.addAttribute(Actor.SUBJECT, subject)
                .addAttribute(Actor.NAME, subject)
                .addAttribute(Actor.DISPLAY, displayName);
        if (email != null) {
            b.addAttribute(Actor.EMAIL, email);
        }
        if (!subject.startsWith("client:")) {
            b.addRole(Actor.PERSON); // a service account is not a person: it makes no organizations, joins none
        }
        return b.build();
    }

    /** A person's identity acting in one of their organizations. */
    static SecurityIdentity inOrg(SecurityIdentity person, UUID orgId, Role role) {
        return QuarkusSecurityIdentity.builder(person)
                .addRoles(role.implied())
                .addAttribute(Actor.ORG, orgId)
                .addAttribute(Actor.ROLE, role)
                .build();
    }
}
