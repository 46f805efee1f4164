package dev.flotilla.agent.updates;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * How the agent finds and applies updates. Off unless {@code updates} is {@code on}. Every setting
 * comes from the agent's config file or its environment variable (which wins):
 *
 * <ul>
 *   <li>{@code updates} / {@code FLOTILLA_UPDATES}: {@code on} or {@code off} (default)
 *   <li>{@code update-check} / {@code FLOTILLA_UPDATE_CHECK}: a shell command printing one line per
 *       pending update (a line mentioning "security" counts as a security update; a line
 *       {@code target-version: X} names the version they lead to). Default: {@code apt-get -s
 *       upgrade} on Debian-like hosts, {@code dnf -q check-update} on RPM-like ones.
 *   <li>{@code update-apply} / {@code FLOTILLA_UPDATE_APPLY}: a shell command that applies them;
 *       non-zero exit is a failure, except {@code update-reboot-exit-code}. Default: {@code apt-get
 *       -y upgrade} or {@code dnf -y upgrade}.
 *   <li>{@code update-reboot} / {@code FLOTILLA_UPDATE_REBOOT}: how to reboot when the host needs
 *       it ({@code /run/reboot-required} exists, or the apply command exited with the reboot exit
 *       code). Default {@code systemctl reboot}.
 *   <li>{@code update-reboot-exit-code} (default 100), {@code update-interval} (ISO-8601, default
 *       PT1H), {@code update-timeout} (the apply command's limit, default PT1H).
 * </ul>
 */
public record UpdateSettings(
        boolean enabled,
        String check,
        String apply,
        String reboot,
        int rebootExitCode,
        Path rebootRequired,
        Duration interval,
        Duration timeout) {
    static final Path REBOOT_REQUIRED = Path.of("/run/reboot-required");

    public static UpdateSettings load(Path configFile, Map<String, String> env) throws IOException {
        Properties file = new Properties();
        if (configFile != null && Files.exists(configFile)) {
            try (Reader r = Files.newBufferedReader(configFile, StandardCharsets.UTF_8)) {
                file.load(r);
            }
        }
        String enabled = pick(env, "FLOTILLA_UPDATES", file, "updates", "off");
        if (!List.of("on", "off").contains(enabled)) {
            throw new IllegalArgumentException("updates must be on or off, got '" + enabled + "'");
        }
        boolean rpm = Files.exists(Path.of("/etc/redhat-release")) || Files.exists(Path.of("/usr/bin/dnf"));
        String check = pick(
                env,
                "FLOTILLA_UPDATE_CHECK",
                file,
                "update-check",
                rpm
                        ? "dnf -q check-update | grep -v '^$' || true"
                        : "apt-get -q update >/dev/null && apt-get -s upgrade | grep '^Inst ' || true");
        String apply = pick(
                env,
                "FLOTILLA_UPDATE_APPLY",
                file,
                "update-apply",
                rpm
                        ? "dnf -y upgrade"
                        : "DEBIAN_FRONTEND=noninteractive apt-get -y -o Dpkg::Options::=--force-confold upgrade");
        return new UpdateSettings(
                enabled.equals("on"),
                check,
                apply,
                pick(env, "FLOTILLA_UPDATE_REBOOT", file, "update-reboot", "systemctl reboot"),
                Integer.parseInt(pick(env, "FLOTILLA_UPDATE_REBOOT_EXIT_CODE", file, "update-reboot-exit-code", "100")),
                REBOOT_REQUIRED,
                duration(pick(env, "FLOTILLA_UPDATE_INTERVAL", file, "update-interval", "PT1H"), "update-interval"),
                duration(pick(env, "FLOTILLA_UPDATE_TIMEOUT", file, "update-timeout", "PT1H"), "update-timeout"));
    }

    private static Duration duration(String text, String name) {
        try {
            Duration d = Duration.parse(text);
            if (!d.isNegative() && !d.isZero()) {
                return d;
            }
        } catch (DateTimeParseException e) {
            // below
        }
        throw new IllegalArgumentException(name + " must be an ISO-8601 duration such as PT1H, got '" + text + "'");
    }

    private static String pick(Map<String, String> env, String envName, Properties file, String key, String fallback) {
        String v = env.get(envName);
        if (v != null && !v.isBlank()) {
            return v.strip();
        }
        v = file.getProperty(key);
        return v == null || v.isBlank() ? fallback : v.strip();
    }
}
