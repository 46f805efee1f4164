package dev.flotilla.service.tenant;

import java.util.UUID;
import java.util.function.Supplier;

import jakarta.enterprise.context.RequestScoped;

/**
 * The organization the current request acts in, for the database's second wall: connections taken
 * from the pool while it is set run as {@code flotilla_tenant} with {@code flotilla.org} set, so
 * that row-level security hides every other organization's rows (see {@link TenantConnections}).
 * Set by {@link TenantFilter} once the caller is known.
 */
@RequestScoped
public class TenantContext {
    private UUID org;
    private boolean unscoped;

    void enter(UUID org) {
        this.org = org;
    }

    /** The organization to scope connections to, or null when they are not to be scoped. */
    UUID scope() {
        return unscoped ? null : org;
    }

    /**
     * Runs work that must see several organizations (creating one, joining one by invitation,
     * listing a person's organizations) without the second wall. Each such query is scoped by
     * the person's subject itself. It must start its own transaction: a connection already taken
     * keeps its scope.
     */
    public <T> T unscoped(Supplier<T> work) {
        boolean before = unscoped;
        unscoped = true;
        try {
            return work.get();
        } finally {
            unscoped = before;
        }
    }
}
