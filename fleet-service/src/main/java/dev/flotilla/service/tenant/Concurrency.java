package dev.flotilla.service.tenant;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * How many long-lived things (a question waiting for an agent, a live stream) a caller and an
 * organization hold at once, per replica. A request rate does not bound them: one request can hold
 * a stream for hours. {@link #acquire} hands out a permit, or nothing when either count is at its
 * limit; the holder closes the permit when done (closing twice is harmless).
 */
@ApplicationScoped
public class Concurrency {
    private final Map<String, Integer> held = new ConcurrentHashMap<>();

    /** A permit held: close it when the thing it stands for ends. */
    public interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    /** A permit of {@code kind} for {@code caller} in {@code org}, unless one of them holds its limit already. */
    public Optional<Permit> acquire(String kind, String caller, UUID org, int perCaller, int perOrg) {
        String callerKey = kind + ":" + caller + "@" + org;
        String orgKey = kind + ":org:" + org;
        if (!take(callerKey, perCaller)) {
            return Optional.empty();
        }
        if (!take(orgKey, perOrg)) {
            give(callerKey);
            return Optional.empty();
        }
        AtomicBoolean open = new AtomicBoolean(true);
        return Optional.of(() -> {
            if (open.compareAndSet(true, false)) {
                give(orgKey);
                give(callerKey);
            }
        });
    }

    /** How many permits of this key are held (for tests and metrics). */
    int held(String key) {
        return held.getOrDefault(key, 0);
    }

    private boolean take(String key, int limit) {
        boolean[] taken = {false};
        held.compute(key, (k, n) -> {
            int now = n == null ? 0 : n;
            if (now >= limit) {
                return n;
            }
            taken[0] = true;
            return now + 1;
        });
        return taken[0];
    }

    private void give(String key) {
        held.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
    }
}
