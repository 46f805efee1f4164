package dev.flotilla.agent.units;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where unit files live, and how the agent recognises the ones Flotilla wrote. */
public final class UnitFiles {
    /** The only folder the agent writes unit files to. */
    public static final String DIRECTORY = "/etc/systemd/system";

    /** The first line of every unit file Flotilla writes. */
    public static final String MARKER = "# Managed by Flotilla: changes here are replaced.";

    private UnitFiles() {}

    static boolean isManaged(Path file) {
        try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
            return lines.findFirst().map(MARKER::equals).orElse(false);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
