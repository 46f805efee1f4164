package dev.flotilla.agent;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * </pre>
 */
public record AgentSettings(
        URI url, String enrollToken, Path stateDir, Map<String, String> labels, Path machineIdFile) {
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
                Path.of(pick(env, "FLOTILLA_MACHINE_ID_FILE", file, "machine-id-file", "/etc/machine-id")));
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
