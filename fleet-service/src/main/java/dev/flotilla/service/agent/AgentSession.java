package dev.flotilla.service.agent;

import java.time.Instant;
import java.util.UUID;

import dev.flotilla.service.machine.MachineRef;
import io.quarkus.websockets.next.WebSocketConnection;

/** One agent's live connection to this replica. */
final class AgentSession {
    final UUID id = UUID.randomUUID();
    final MachineRef machine;
    final WebSocketConnection connection;
    final Instant openedAt;
    volatile boolean greeted;
    volatile Instant lastHeard;

    AgentSession(MachineRef machine, WebSocketConnection connection, Instant now) {
        this.machine = machine;
        this.connection = connection;
        this.openedAt = now;
        this.lastHeard = now;
    }
}
