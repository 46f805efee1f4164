package dev.flotilla.service.agent;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;

/** How the service keeps track of its agents ({@code flotilla.agent.*}; defaults and why in application.properties). */
@ConfigMapping(prefix = "flotilla.agent")
public interface AgentConfig {
    /** How often agents heartbeat (told to them in {@code welcome}). */
    Duration heartbeatInterval();

    /** Silence after which a machine is offline. Three intervals, as fleet's agent_ttl is two. */
    Duration heartbeatTtl();

    /** Offline time after which a machine is lost and its work may move. */
    Duration lostAfter();

    /** How long a new connection may take to say hello. */
    Duration helloTimeout();

    /** How often this replica writes when its sessions were last heard from. */
    Duration lastSeenFlush();

    /** How often silent machines are marked offline, and long-offline ones lost. */
    Duration sweepEvery();

    /** Frames a second one agent may send, sustained (a session over it is closed, 4429). */
    double maxFramesPerSecond();

    /** Frames one agent may send at once, above the sustained rate (a boot's burst of transitions). */
    int maxFrameBurst();

    /** Bytes of one agent's frames that may wait to be stored before its session is closed (4429). */
    io.quarkus.runtime.configuration.MemorySize maxQueuedBytes();

    /** Frames a second an organization's agents may send together on one replica, to begin with. */
    double orgFramesPerSecond();

    /** And this many more a second for each of its machines connected there (ten seconds' worth at once). */
    double orgFramesPerMachine();
}
