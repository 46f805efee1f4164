package dev.flotilla.service.auth;

import java.util.UUID;

import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;

/** Builds the security identity of a signed-in account or an API token. */
final class Identities {
    private Identities() {}

    static SecurityIdentity of(String principal, String actor, UUID orgId, Role role) {
        return QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(principal))
                .addRoles(role.implied())
                .addAttribute(Actor.ORG, orgId)
                .addAttribute(Actor.ROLE, role)
                .addAttribute(Actor.NAME, actor)
                .build();
    }
}
