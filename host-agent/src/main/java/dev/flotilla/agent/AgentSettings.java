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
 * insecure       FLOTILLA_INSECURE        1: allow http:// to a host other than loopback (labs only)
 * ca-file        FLOTILLA_CA_FILE         PEM CAs to trust instead of the system's (a private CA)
 * pin            FLOTILLA_PIN             sha256/BASE64 of the service's (or its CA's) public key
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
        List<Path> containerSockets,
        boolean insecure,
        Path caFile,
        String pin) {
    public static final String DEFAULT_REPORTED_UNITS = "*.service,*.timer,*.socket,*.mount";

    /** Where Docker's and Podman's engines listen, in the order tried. */
    public static final List<Path> DEFAULT_CONTAINER_SOCKETS =
            List.of(Path.of("/var/run/docker.sock"), Path.of("/run/podman/podman.sock"));

    public static final Path DEFAULT_CONFIG = Path.of("/etc/flotilla/agent.conf");

    /** Settings trusting the system's CAs (tests and the load tools, over loopback). */
    public AgentSettings(
            URI url,
            String enrollToken,
            Path stateDir,
            Map<String, String> labels,
            Path machineIdFile,
            List<String> reportUnits,
            int journalMaxEntries,
            long journalMaxBytes,
            List<Path> containerSockets) {
        this(
                url,
                enrollToken,
                stateDir,
                labels,
                machineIdFile,
                reportUnits,
                journalMaxEntries,
                journalMaxBytes,
                containerSockets,
                false,
                null,
                null);
    }

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
        boolean insecure = List.of("1", "true", "yes", "on")
                .contains(pick(env, "FLOTILLA_INSECURE", file, "insecure", "false")
                        .toLowerCase(java.util.Locale.ROOT));
        if ("http".equals(uri.getScheme()) && !isLoopback(uri.getHost()) && !insecure) {
            throw new IllegalArgumentException("refusing plain " + uri + ": this root agent's credential and the"
                    + " service's commands would cross the network unencrypted. Use https:// (FLOTILLA_CA_FILE for a"
                    + " private CA), or, for a lab only, --insecure (FLOTILLA_INSECURE=1)");
        }
        String ca = pick(env, "FLOTILLA_CA_FILE", file, "ca-file", null);
        String pin = pick(env, "FLOTILLA_PIN", file, "pin", null);
        if (pin != null && !pin.matches("sha256/[A-Za-z0-9+/]{43}=")) {
            throw new IllegalArgumentException(
                    "pin must be sha256/ and the base64 of a SHA-256 (44 characters), got " + pin);
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
                containerSockets(pick(env, "FLOTILLA_CONTAINER_SOCKET", file, "container-socket", null)),
                insecure,
                ca == null ? null : Path.of(ca),
                pin);
    }

    /** 127.0.0.0/8, ::1 and localhost, by name alone: no lookup decides whether to encrypt. */
    static boolean isLoopback(String host) {
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase(java.util.Locale.ROOT);
        return h.equals("localhost")
                || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}")
                || h.equals("[::1]")
                || h.equals("::1");
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
