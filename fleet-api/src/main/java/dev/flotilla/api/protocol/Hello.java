package dev.flotilla.api.protocol;

import java.util.Map;

/**
 * The agent's first frame: who it is and what the host looks like.
 *
 * @param protocolVersion the highest protocol version the agent speaks
 * @param machineId the host's {@code /etc/machine-id}; must match the credential
 * @param hostname the host's name
 * @param facts what the host is made of
 * @param labels labels from the agent's configuration file
 * @param agentVersion the agent's own version
 */
public record Hello(
        int protocolVersion,
        String machineId,
        String hostname,
        Facts facts,
        Map<String, String> labels,
        String agentVersion)
        implements Frame {
    public Hello {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
}
