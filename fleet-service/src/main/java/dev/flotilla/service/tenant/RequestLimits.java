package dev.flotilla.service.tenant;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import dev.flotilla.service.common.Problem;
import dev.flotilla.service.common.TokenBucket;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/**
 * Request rates per caller (an API token, a person, a service account) and per organization:
 * token buckets kept in memory by each replica (so with N replicas behind a balancer the rate
 * allowed is up to N times the figure). Over the rate: 429 with {@code Retry-After} in seconds.
 * An organization may have its own rate ({@code organization.max_requests_per_second}).
 */
@ApplicationScoped
public class RequestLimits {
    @Inject
    CurrentIdentityAssociation identities;

    @Inject
    jakarta.persistence.EntityManager em;

    @Inject
    LimitsConfig config;

    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final Map<UUID, Double> orgRates = new ConcurrentHashMap<>();

    /** After TenantFilter (the caller is known by then). */
    @ServerRequestFilter(priority = Priorities.USER + 100)
    public Uni<Response> limit(HttpServerRequest request) {
        String address = request.remoteAddress() == null
                ? "unknown"
                : request.remoteAddress().host();
        return identities
                .getDeferredIdentity()
                .onItem()
                .transform(identity -> check(identity, address))
                .onFailure()
                .recoverWithNull();
    }

    private Response check(SecurityIdentity identity, String address) {
        if (identity.isAnonymous()) {
            // Enrollment, FleetLock and the sign-in page answer anyone: bounded per address.
            double wait =
                    bucket("anonymous:" + address, config.anonymousPerSecond()).take(System.nanoTime());
            return wait <= 0
                    ? null
                    : tooMany(
                            wait,
                            "at most " + (long) config.anonymousPerSecond()
                                    + " a second per address without credentials");
        }
        UUID org = Actor.orgOf(identity);
        if (org == null) {
            return null;
        }
        String caller = identity.getAttribute(Actor.NAME);
        long now = System.nanoTime();
        double orgPerSecond = orgRates.getOrDefault(org, config.orgPerSecond());
        // The caller's own bucket first: a caller over its rate must not drain its organization's.
        double wait = bucket(caller + "@" + org, Math.min(config.callerPerSecond(), orgPerSecond))
                .take(now);
        if (wait <= 0) {
            wait = bucket("org:" + org, orgPerSecond).take(now);
        }
        if (wait <= 0) {
            return null;
        }
        return tooMany(
                wait,
                "at most " + (long) Math.min(config.callerPerSecond(), orgPerSecond) + " a second per caller, "
                        + (long) orgPerSecond + " per organization");
    }

    private static Response tooMany(double wait, String limits) {
        long seconds = Math.max(1, (long) Math.ceil(wait));
        return Response.status(429)
                .header("Retry-After", seconds)
                .type(Problem.MEDIA)
                .entity(Problem.of(
                        429, "Too Many Requests", "too many requests (" + limits + "); retry in " + seconds + " s"))
                .build();
    }

    private Bucket bucket(String key, double perSecond) {
        return buckets.computeIfAbsent(key, k -> new Bucket(perSecond));
    }

    /** Reads the organizations' own rates (set by the operators of the service) every 30 s. */
    @Scheduled(every = "30s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    public void refresh() {
        @SuppressWarnings("unchecked")
        java.util.List<Object[]> rows = QuarkusTransaction.requiringNew()
                .call(() -> em.createNativeQuery(
                                "select id, max_requests_per_second from organization where max_requests_per_second is not null")
                        .getResultList());
        Map<UUID, Double> fresh = new java.util.HashMap<>();
        rows.forEach(r -> fresh.put((UUID) r[0], ((Number) r[1]).doubleValue()));
        orgRates.keySet().retainAll(fresh.keySet());
        orgRates.putAll(fresh);
        fresh.forEach((org, rate) ->
                buckets.computeIfPresent("org:" + org, (k, b) -> b.perSecond == rate ? b : new Bucket(rate)));
    }

    /** Forgets callers idle for ten minutes. */
    @Scheduled(every = "5m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() {
        long now = System.nanoTime();
        buckets.values().removeIf(b -> b.idleSince(now) > 600_000_000_000L);
    }

    /** A request rate: a token bucket holding up to two seconds' worth of requests. */
    static final class Bucket {
        final double perSecond;
        private final TokenBucket tokens = new TokenBucket();

        Bucket(double perSecond) {
            this.perSecond = perSecond;
        }

        /** Takes one request; 0 when allowed, else the seconds until one would be. */
        double take(long now) {
            return tokens.takeOrWait(now, perSecond, Math.max(1, perSecond * 2));
        }

        long idleSince(long now) {
            return tokens.idleNanos(now);
        }
    }
}
