package dev.flotilla.service.agent;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How the service keeps track of its agents. */
@ConfigMapping(prefix = "flotilla.agent")
public interface AgentConfig {
    /** How often agents heartbeat (told to them in {@code welcome}). */
    @WithDefault("10s")
    Duration heartbeatInterval();

    /** Silence after which a machine is offline. Three intervals, as fleet's agent_ttl is two. */
    @WithDefault("30s")
    Duration heartbeatTtl();

    /** Offline time after which a machine is lost and its work may move. */
    @WithDefault("10m")
    Duration lostAfter();

    /** How long a new connection may take to say hello. */
    @WithDefault("10s")
    Duration helloTimeout();

    /** How often this replica writes when its sessions were last heard from. */
    @WithDefault("5s")
    Duration lastSeenFlush();

    /** How often silent machines are marked offline, and long-offline ones lost. */
    @WithDefault("5s")
    Duration sweepEvery();
}
