package dev.flotilla.agent;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code flotilla-agent enroll --url URL --token fle_…}: enrolls this host now (so a wrong token or
 * URL is said at once, not in the journal of a service that restarts), keeps the credential in the
 * state folder and writes the URL (and the other options given) into the configuration file. The
 * token itself is written nowhere: it is spent.
 */
final class Enroll {
    static final String HELP = """
            Usage: flotilla-agent enroll --url URL --token TOKEN [options]

            Enrolls this host with a Flotilla service, keeps its credential in the state folder
            and writes the URL into the configuration file; then start the agent
            (systemctl start flotilla-agent). The token is spent, not stored.

            Options:
              --url URL        the service, e.g. https://fleet.example.com (required)
              --token TOKEN    an enrollment token (fle_...) from the dashboard or
                               `flotilla create-enrollment-token` (required)
              --labels K=V,..  labels of this host
              --ca-file FILE   PEM file of the CAs to trust instead of the system's
              --pin PIN        sha256/BASE64 of the service's (or its CA's) public key
              --insecure       allow a plain http:// URL other than loopback (labs only)
              --config FILE    configuration file to write (default /etc/flotilla/agent.conf)
              --force          enroll again although this host holds a credential
              -h, --help       print this help

            Exit status: 0 enrolled, 1 cannot reach the service, 64 bad arguments,
                         78 refused (token wrong, used up, expired or revoked; already enrolled).
            """;

    private static final Pattern KEY_LINE = Pattern.compile("^\\s*([A-Za-z0-9_.-]+)\\s*[=:].*$");

    private Enroll() {}

    /** Runs the command; returns the exit status. Messages go to {@code out} and {@code err}. */
    static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        Path config = AgentSettings.DEFAULT_CONFIG;
        boolean force = false;
        Map<String, String> written = new LinkedHashMap<>();
        String token = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "-h", "--help" -> {
                    out.print(HELP);
                    return 0;
                }
                case "--force" -> force = true;
                case "--insecure" -> written.put("insecure", "true");
                case "--url", "--token", "--labels", "--ca-file", "--pin", "--config" -> {
                    if (i + 1 >= args.size() || args.get(i + 1).isBlank()) {
                        err.println("flotilla-agent enroll: " + a + " needs a value (see --help)");
                        return 64;
                    }
                    String v = args.get(++i).strip();
                    if (v.contains("\n") || v.contains("\r")) {
                        err.println("flotilla-agent enroll: " + a + " must be one line");
                        return 64;
                    }
                    switch (a) {
                        case "--token" -> token = v;
                        case "--config" -> config = Path.of(v);
                        default -> written.put(a.substring(2), v);
                    }
                }
                default -> {
                    err.println("flotilla-agent enroll: unknown argument '" + a + "' (see --help)");
                    return 64;
                }
            }
        }
        if (!written.containsKey("url") || token == null) {
            err.println("flotilla-agent enroll: --url and --token are both required (see --help)");
            return 64;
        }
        // What is given on the command line wins over the file and the environment.
        Map<String, String> settingsEnv = new HashMap<>(env);
        settingsEnv.put("FLOTILLA_URL", written.get("url"));
        settingsEnv.put("FLOTILLA_ENROLL_TOKEN", token);
        copy(written, "labels", settingsEnv, "FLOTILLA_LABELS");
        copy(written, "ca-file", settingsEnv, "FLOTILLA_CA_FILE");
        copy(written, "pin", settingsEnv, "FLOTILLA_PIN");
        copy(written, "insecure", settingsEnv, "FLOTILLA_INSECURE");
        try {
            AgentSettings settings = AgentSettings.load(config, settingsEnv);
            String machineId = HostFacts.machineId(settings.machineIdFile());
            var existing = Credentials.load(settings.stateDir());
            if (existing.isPresent() && !force) {
                err.println("flotilla-agent enroll: this host is already enrolled as machine "
                        + existing.get().machineId() + " with " + existing.get().url()
                        + "; to enroll it again (a new machine in Flotilla), add --force");
                return 78;
            }
            Credentials.Stored stored = Credentials.enroll(settings, machineId, HostFacts.hostname());
            written.put("url", settings.url().toString());
            setKeys(config, written);
            out.println("Enrolled this host as machine " + stored.machineId() + " with " + stored.url() + ".");
            out.println("Settings written to " + config + "; credential kept in " + settings.stateDir() + ".");
            out.println("Start the agent: systemctl start flotilla-agent");
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("flotilla-agent enroll: " + e.getMessage());
            return e.getMessage() != null && e.getMessage().contains("is damaged") ? 78 : 64;
        } catch (Credentials.EnrollmentRefused e) {
            err.println("flotilla-agent enroll: " + e.getMessage());
            return 78;
        } catch (IOException e) {
            err.println("flotilla-agent enroll: cannot enroll: "
                    + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return 1;
        }
    }

    private static void copy(Map<String, String> from, String key, Map<String, String> to, String variable) {
        if (from.containsKey(key)) {
            to.put(variable, from.get(key));
        }
    }

    /**
     * Sets {@code key = value} lines in a properties-style file: a line setting the key is replaced
     * in place, a key not set yet is added at the end; comments and every other line stay as they
     * are. Written atomically (the file is the agent's only configuration).
     */
    static void setKeys(Path file, Map<String, String> values) throws IOException {
        List<String> lines = Files.exists(file)
                ? new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8))
                : new ArrayList<>(List.of("# Flotilla agent configuration (see flotilla-agent --help)"));
        Map<String, String> pending = new LinkedHashMap<>(values);
        for (int i = 0; i < lines.size(); i++) {
            var m = KEY_LINE.matcher(lines.get(i));
            if (m.matches() && pending.containsKey(m.group(1))) {
                String key = m.group(1);
                lines.set(i, key + " = " + escape(pending.remove(key)));
            }
        }
        pending.forEach((k, v) -> lines.add(k + " = " + escape(v)));
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        AtomicFiles.write(file, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** java.util.Properties reads a backslash as an escape: keep it literal. */
    private static String escape(String value) {
        return value.replace("\\", "\\\\");
    }
}
