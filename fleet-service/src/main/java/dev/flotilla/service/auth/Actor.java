package dev.flotilla.service.auth;

import java.util.UUID;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;

import io.quarkus.security.identity.SecurityIdentity;

/**
 * Who is making the current request and for which organization. Every query a resource makes is
 * scoped by {@link #orgId()}.
 */
@RequestScoped
public class Actor {
    static final String ORG = "flotilla.org";
    static final String ROLE = "flotilla.role";
    static final String NAME = "flotilla.actor";

    @Inject
    SecurityIdentity identity;

    public UUID orgId() {
        UUID org = identity.getAttribute(ORG);
        if (org == null) {
            throw new IllegalStateException("no organization on an authenticated identity");
        }
        return org;
    }

    public Role role() {
        return identity.getAttribute(ROLE);
    }

    /** Whether the caller's role includes {@code needed} (owner ⊃ admin ⊃ operator ⊃ viewer). */
    public boolean has(Role needed) {
        Role role = role();
        return role != null && role.includes(needed);
    }

    /** {@code account:<username>} or {@code token:<id>}, for audit and {@code created_by}. */
    public String name() {
        String name = identity.getAttribute(NAME);
        return name == null ? "anonymous" : name;
    }
}
