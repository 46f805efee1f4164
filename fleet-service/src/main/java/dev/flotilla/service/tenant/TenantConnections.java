package dev.flotilla.service.tenant;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.Set;
import java.util.UUID;
import java.util.WeakHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.postgresql.PGConnection;

import io.agroal.api.AgroalPoolInterceptor;
import io.quarkus.arc.Arc;
import io.quarkus.arc.ManagedContext;

/**
 * The database's second wall between tenants. When a request acting in an organization takes a
 * connection from the pool, the connection switches to the role {@code flotilla_tenant} (to which
 * the row-level security policies of migration V12 apply) with {@code flotilla.org} set to that
 * organization; when it goes back to the pool, both are reset. Work outside requests (the agents'
 * gateway, the scheduler, sweeps) keeps the service's own role, which owns the tables and so is
 * not subject to the policies.
 */
@ApplicationScoped
public class TenantConnections implements AgroalPoolInterceptor {
    // Agroal hands each interceptor call a fresh wrapper; the physical connection is the stable key.
    private final Set<PGConnection> scoped =
            Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    @Override
    public void onConnectionAcquire(Connection connection) {
        UUID org = currentScope();
        if (org == null) {
            return;
        }
        try (PreparedStatement s = connection.prepareStatement(
                "select set_config('role', 'flotilla_tenant', false), set_config('flotilla.org', ?, false)")) {
            s.setString(1, org.toString());
            s.execute();
            scoped.add(connection.unwrap(PGConnection.class));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot scope a database connection to organization " + org, e);
        }
    }

    @Override
    public void onConnectionReturn(Connection connection) {
        try {
            if (!scoped.remove(connection.unwrap(PGConnection.class))) {
                return;
            }
            try (Statement s = connection.createStatement()) {
                s.execute("reset role; reset flotilla.org");
            }
        } catch (SQLException e) {
            // Never let a connection still scoped to a tenant back into the pool: close it for good.
            try {
                ((Connection) connection.unwrap(PGConnection.class)).close();
            } catch (SQLException | ClassCastException closing) {
                e.addSuppressed(closing);
            }
            throw new IllegalStateException("cannot reset a tenant-scoped database connection; closed it", e);
        }
    }

    private static UUID currentScope() {
        ManagedContext requests = Arc.container().requestContext();
        if (!requests.isActive()) {
            return null;
        }
        return Arc.container().instance(TenantContext.class).get().scope();
    }
}
