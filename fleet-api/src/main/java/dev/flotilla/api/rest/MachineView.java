package dev.flotilla.api.rest;

import java.time.Instant;
import java.util.Map;

import dev.flotilla.api.protocol.Facts;

/**
 * A machine as the API shows it.
 *
 * @param id the host's machine id ({@code /etc/machine-id})
 * @param hostname the host's name, as its agent last reported it
 * @param presence {@code online}, {@code offline} or {@code lost}
 * @param presenceSince when the presence last changed
 * @param lastSeenAt the last time the agent was heard from
 * @param labels the effective labels: the agent's own, overlaid by those set through the API
 * @param agentLabels the labels from the agent's configuration file
 * @param facts what the host is made of; {@code null} until the agent first says hello
 * @param agentVersion the agent's version
 * @param enrolledAt when the machine enrolled
 */
public record MachineView(
        String id,
        String hostname,
        String presence,
        Instant presenceSince,
        Instant lastSeenAt,
        Map<String, String> labels,
        Map<String, String> agentLabels,
        Facts facts,
        String agentVersion,
        Instant enrolledAt) {}
