package dev.flotilla.api.protocol;

/**
 * The service's answer to {@link Hello}: the session is open.
 *
 * @param protocolVersion the version both sides now speak
 * @param machineId the machine this session is bound to
 * @param heartbeatIntervalMillis how often the agent must send a {@link Heartbeat}
 * @param heartbeatTtlMillis after how long without one the machine is considered offline
 */
public record Welcome(int protocolVersion, String machineId, long heartbeatIntervalMillis, long heartbeatTtlMillis)
        implements Frame {}
