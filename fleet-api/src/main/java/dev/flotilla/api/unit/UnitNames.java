package dev.flotilla.api.unit;

import java.util.Set;
import java.util.regex.Pattern;

/** systemd's unit name rules, as fleet applies them: no path, no surprises. Shared by service and agent. */
public final class UnitNames {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9:_.@\\\\-]+");
    private static final Set<String> SUFFIXES = Set.of(
            "service", "socket", "device", "mount", "automount", "swap", "target", "path", "timer", "slice", "scope");
    /** systemd's UNIT_NAME_MAX. */
    public static final int MAX_LENGTH = 255;

    private UnitNames() {}

    /** Whether {@code name} is a valid systemd unit name (with its type suffix). */
    public static boolean isValid(String name) {
        if (name == null
                || name.isEmpty()
                || name.length() > MAX_LENGTH
                || !NAME.matcher(name).matches()) {
            return false;
        }
        int dot = name.lastIndexOf('.');
        return dot > 0 && SUFFIXES.contains(name.substring(dot + 1));
    }
}
