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
    /** The protocol version agreed in hello (the lower of the two). */
    volatile int protocolVersion;

    volatile Instant lastHeard;
    /** The last {@link #lastHeard} written to the machine row (by the flush), or null. */
    volatile Instant lastHeardWritten;

    private CompletableFuture<?> tail = CompletableFuture.completedFuture(null);

    /** Bytes of frames queued on this session's lane and not yet handled (stored, answered). */
    final java.util.concurrent.atomic.AtomicLong queuedBytes = new java.util.concurrent.atomic.AtomicLong();

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
