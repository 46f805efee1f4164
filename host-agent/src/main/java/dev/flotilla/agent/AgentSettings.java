package dev.flotilla.agent;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import dev.flotilla.api.selector.Labels;

/**
 * The agent's configuration: a {@code key = value} file ({@code /etc/flotilla/agent.conf} by
 * default), each key overridable by an environment variable.
 *
 * <pre>
 * url            FLOTILLA_URL             the service, e.g. https://fleet.example.com
 * enroll-token   FLOTILLA_ENROLL_TOKEN    needed once, for the first start
 * state-dir      FLOTILLA_AGENT_STATE     default /var/lib/flotilla-agent
 * labels         FLOTILLA_LABELS          k=v,k2=v2
 * machine-id-file FLOTILLA_MACHINE_ID_FILE default /etc/machine-id
 * report-units   FLOTILLA_REPORT_UNITS    globs, default *.service,*.timer,*.socket,*.mount
 * journal-max-entries FLOTILLA_JOURNAL_MAX_ENTRIES  default 10000
 * journal-max-bytes   FLOTILLA_JOURNAL_MAX_BYTES    default 8388608
 * container-socket    FLOTILLA_CONTAINER_SOCKET     the Docker-compatible engine's unix socket;
 *                     default: /var/run/docker.sock, else /run/podman/podman.sock; none: off
 * </pre>
 */
public record AgentSettings(
        URI url,
        String enrollToken,
        Path stateDir,
        Map<String, String> labels,
        Path machineIdFile,
        List<String> reportUnits,
        int journalMaxEntries,
        long journalMaxBytes,
        List<Path> containerSockets) {
    public static final String DEFAULT_REPORTED_UNITS = "*.service,*.timer,*.socket,*.mount";

    /** Where Docker's and Podman's engines listen, in the order tried. */
    public static final List<Path> DEFAULT_CONTAINER_SOCKETS =
            List.of(Path.of("/var/run/docker.sock"), Path.of("/run/podman/podman.sock"));

    public static final Path DEFAULT_CONFIG = Path.of("/etc/flotilla/agent.conf");

    /**
     * Reads the file (if it exists) and the environment.
     *
     * @throws IllegalArgumentException naming the setting that is missing or wrong
     */
    public static AgentSettings load(Path configFile, Map<String, String> env) throws IOException {
        Properties file = new Properties();
        if (configFile != null && Files.exists(configFile)) {
            try (Reader r = Files.newBufferedReader(configFile, StandardCharsets.UTF_8)) {
                file.load(r);
            }
        }
        String url = pick(env, "FLOTILLA_URL", file, "url", null);
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("no service URL: set url in " + configFile + " or FLOTILLA_URL");
        }
        URI uri = URI.create(url.strip().replaceAll("/+$", ""));
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new IllegalArgumentException("the service URL must start with http:// or https://, got " + url);
        }
        return new AgentSettings(
                uri,
                pick(env, "FLOTILLA_ENROLL_TOKEN", file, "enroll-token", null),
                Path.of(pick(env, "FLOTILLA_AGENT_STATE", file, "state-dir", "/var/lib/flotilla-agent")),
                Labels.parsePairs(pick(env, "FLOTILLA_LABELS", file, "labels", "")),
                Path.of(pick(env, "FLOTILLA_MACHINE_ID_FILE", file, "machine-id-file", "/etc/machine-id")),
                Arrays.stream(pick(env, "FLOTILLA_REPORT_UNITS", file, "report-units", DEFAULT_REPORTED_UNITS)
                                .split(","))
                        .map(String::strip)
                        .filter(p -> !p.isEmpty())
                        .toList(),
                number(
                        pick(env, "FLOTILLA_JOURNAL_MAX_ENTRIES", file, "journal-max-entries", "10000"),
                        "journal-max-entries"),
                number(
                        pick(env, "FLOTILLA_JOURNAL_MAX_BYTES", file, "journal-max-bytes", "8388608"),
                        "journal-max-bytes"),
                containerSockets(pick(env, "FLOTILLA_CONTAINER_SOCKET", file, "container-socket", null)));
    }

    private static List<Path> containerSockets(String setting) {
        if (setting == null) {
            return DEFAULT_CONTAINER_SOCKETS;
        }
        if (setting.equals("none")) {
            return List.of();
        }
        Path p = Path.of(setting.replaceFirst("^unix://", ""));
        if (!p.isAbsolute()) {
            throw new IllegalArgumentException("container-socket must be an absolute path or none, got " + setting);
        }
        return List.of(p);
    }

    private static int number(String text, String name) {
        try {
            int n = Integer.parseInt(text);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException(name + " must be a positive number, got '" + text + "'");
    }

    /** The WebSocket address of the agent gateway. */
    public URI connectUri(String path) {
        String scheme = "https".equals(url.getScheme()) ? "wss" : "ws";
        return URI.create(scheme + url.toString().substring(url.getScheme().length()) + path);
    }

    private static String pick(Map<String, String> env, String envName, Properties file, String key, String fallback) {
        String v = env.get(envName);
        if (v != null && !v.isBlank()) {
            return v.strip();
        }
        v = file.getProperty(key);
        return v != null && !v.isBlank() ? v.strip() : fallback;
    }
}
