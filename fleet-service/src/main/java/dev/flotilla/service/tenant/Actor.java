package dev.flotilla.service.tenant;

import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;

import dev.flotilla.service.common.ProblemException;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * Who is making the current request and for which organization. Every query a resource makes is
 * scoped by {@link #orgId()}.
 */
@RequestScoped
public class Actor {
    public static final String ORG = "flotilla.org";
    public static final String ROLE = "flotilla.role";
    public static final String NAME = "flotilla.actor";
    public static final String SUBJECT = "flotilla.subject";
    public static final String DISPLAY = "flotilla.display";
    public static final String EMAIL = "flotilla.email";
    /** For an API token: the subject at the root of its chain of makers (a person, or "system"). */
    public static final String VOUCHED_BY = "flotilla.vouched-by";
    /** The role every signed-in person holds, member of an organization or not (tokens do not). */
    public static final String PERSON = "person";

    @Inject
    SecurityIdentity identity;

    /** The organization of an identity, or null for an anonymous caller or a person without one. */
    public static UUID orgOf(SecurityIdentity identity) {
        return identity == null || identity.isAnonymous() ? null : identity.getAttribute(ORG);
    }

    public UUID orgId() {
        UUID org = identity.getAttribute(ORG);
        if (org == null) {
            throw new ProblemException(
                    jakarta.ws.rs.core.Response.Status.FORBIDDEN,
                    "you are not a member of any organization: create one or accept an invitation");
        }
        return org;
    }

    public Optional<UUID> org() {
        return Optional.ofNullable(identity.getAttribute(ORG));
    }

    public Role role() {
        return identity.getAttribute(ROLE);
    }

    /** Whether the caller's role includes {@code needed} (owner ⊃ admin ⊃ operator ⊃ viewer). */
    public boolean has(Role needed) {
        Role role = role();
        return role != null && role.includes(needed);
    }

    /** {@code account:<username>}, {@code oidc:<subject>} or {@code token:<id>}, for audit and {@code created_by}. */
    public String name() {
        String name = identity.getAttribute(NAME);
        return name == null ? "anonymous" : name;
    }

    /** A member's subject ({@code account:...}, {@code oidc:...} or {@code client:...}); null for API tokens. */
    public String subject() {
        return identity.getAttribute(SUBJECT);
    }

    /**
     * Who vouches for what this caller makes: a member themselves; for an API token the person who
     * made it, through any chain of tokens (or {@code system} for the first start's token).
     */
    public String vouchedBy() {
        String root = identity.getAttribute(VOUCHED_BY);
        return root != null ? root : name();
    }

    /** A signed-in person (local account or Keycloak user); not a token, not a service account. */
    public boolean isPerson() {
        String subject = subject();
        return subject != null && !subject.startsWith("client:");
    }

    /** A person's name as shown: the user name, or the Keycloak user's name; a token's name. */
    public String displayName() {
        String display = identity.getAttribute(DISPLAY);
        return display != null ? display : identity.getPrincipal().getName();
    }

    public String email() {
        return identity.getAttribute(EMAIL);
    }
}
