package dev.flotilla.service.tenant;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import dev.flotilla.service.common.Problem;
import io.quarkus.scheduler.Scheduled;
import io.vertx.ext.web.Router;

/**
 * A caller's request rate, checked before the credential is: keyed by the credential itself (a
 * digest of the Authorization header), so that a caller far over its rate is answered 429 without
 * a database lookup for each request. {@link RequestLimits} applies the same rates after sign-in,
 * per caller and per organization; this gate only keeps the refusals cheap, at twice the caller's
 * rate (the burst the buckets allow).
 *
 * <p>A caller this far over its rate has ignored the {@code Retry-After} of the refusals before, so
 * its refusal is answered only after {@code flotilla.limits.gate-delay}, on a timer, holding no
 * thread: a client that sends its next request when the last is answered (most scripts, and every
 * flood written as a loop) is slowed to one request a delay per connection, instead of costing the
 * replica thousands of refusals a second that the other organizations' requests wait behind.
 */
@ApplicationScoped
public class CallerGate {
    @Inject
    LimitsConfig config;

    /**
     * Refusals held at once, per replica: each costs a connection and a timer, no thread. Beyond
     * it a refusal is answered at once.
     */
    static final int MAX_HELD = 10_000;

    private final Map<String, RequestLimits.Bucket> buckets = new ConcurrentHashMap<>();
    private final AtomicInteger held = new AtomicInteger();

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 2).handler(ctx -> {
            String credential = ctx.request().getHeader("Authorization");
            if (credential == null || credential.isBlank()) {
                ctx.next();
                return;
            }
            double wait = buckets.computeIfAbsent(
                            digest(credential), k -> new RequestLimits.Bucket(config.callerPerSecond() * 2))
                    .take(System.nanoTime());
            if (wait <= 0) {
                ctx.next();
                return;
            }
            long seconds = Math.max(1, (long) Math.ceil(wait));
            ctx.response().putHeader("Retry-After", String.valueOf(seconds));
            Problem refusal = Problem.of(
                    429, "Too Many Requests", "too many requests with this credential; retry in " + seconds + " s");
            long delay = config.gateDelay().toMillis();
            if (delay <= 0 || held.incrementAndGet() > MAX_HELD) {
                if (delay > 0) {
                    held.decrementAndGet();
                }
                refusal.send(ctx, false);
                return;
            }
            ctx.vertx().setTimer(delay, id -> {
                held.decrementAndGet();
                if (!ctx.response().ended() && !ctx.response().closed()) {
                    refusal.send(ctx, false);
                }
            });
        });
    }

    /** Refusals waiting for their delay now (for tests and metrics). */
    int held() {
        return held.get();
    }

    /** Forgets credentials idle for ten minutes. */
    @Scheduled(every = "5m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() {
        long now = System.nanoTime();
        buckets.values().removeIf(b -> b.idleSince(now) > 600_000_000_000L);
    }

    private static String digest(String credential) {
        try {
            return HexFormat.of()
                    .formatHex(
                            MessageDigest.getInstance("SHA-256").digest(credential.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
