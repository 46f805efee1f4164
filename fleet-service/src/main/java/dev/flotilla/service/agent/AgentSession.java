package dev.flotilla.service.agent;

import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import dev.flotilla.service.machine.MachineRef;
import io.quarkus.websockets.next.WebSocketConnection;

/** One agent's live connection to this replica. */
final class AgentSession {
    final UUID id = UUID.randomUUID();
    final MachineRef machine;
    final WebSocketConnection connection;
    final Instant openedAt;
    volatile boolean greeted;
    /** Set on the event loop as soon as hello arrives, before it is handled. */
    volatile boolean helloReceived;

    volatile Instant lastHeard;
    /** The last {@link #lastHeard} written to the machine row (by the flush), or null. */
    volatile Instant lastHeardWritten;

    private CompletableFuture<?> tail = CompletableFuture.completedFuture(null);

    /** Bytes of frames queued on this session's lane and not yet handled (stored, answered). */
    final java.util.concurrent.atomic.AtomicLong queuedBytes = new java.util.concurrent.atomic.AtomicLong();

    /** Frames a second this session may send: a token bucket, touched on the event loop only. */
    private double frameTokens = -1;

    private long frameTokensAt;

    /**
     * Takes one frame from the session's allowance of {@code perSecond} frames a second (with
     * {@code burst} at once); false when the agent is over it.
     */
    boolean takeFrame(long now, double perSecond, double burst) {
        if (frameTokens < 0) {
            frameTokens = burst;
            frameTokensAt = now;
        }
        frameTokens = Math.min(burst, frameTokens + (now - frameTokensAt) / 1e9 * perSecond);
        frameTokensAt = now;
        if (frameTokens < 1) {
            return false;
        }
        frameTokens -= 1;
        return true;
    }

    AgentSession(MachineRef machine, WebSocketConnection connection, Instant now) {
        this.machine = machine;
        this.connection = connection;
        this.openedAt = now;
        this.lastHeard = now;
    }

    /**
     * Runs {@code step} after every step queued before it has finished: the frames of one session
     * are handled in the order they came, while sessions proceed independently of each other.
     */
    synchronized void then(Supplier<CompletableFuture<?>> step) {
        tail = tail.handle((x, e) -> null).thenCompose(x -> step.get());
    }
}
