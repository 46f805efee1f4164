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

    /** Unit types that may be templates ({@code foo@.service}), as fleet allowed them. */
    private static final Set<String> TEMPLATE_SUFFIXES = Set.of("service", "socket", "path", "timer", "target");

    /**
     * Why {@code name} cannot name a unit Flotilla schedules, in fleet's words, or null: a valid
     * systemd name, not starting with {@code @}, a template only of a type that can be one.
     */
    public static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "unit name cannot be empty";
        }
        if (name.length() > MAX_LENGTH) {
            return "unit name exceeds maximum length (" + MAX_LENGTH + ")";
        }
        int dot = name.lastIndexOf('.');
        if (dot < 0) {
            return "unit name must contain \".\"";
        }
        if (dot == name.length() - 1) {
            return "unit name cannot end in \".\"";
        }
        String suffix = name.substring(dot + 1);
        if (!SUFFIXES.contains(suffix)) {
            return "invalid unit type: \"" + suffix + "\"";
        }
        if (name.contains("@") && !TEMPLATE_SUFFIXES.contains(suffix)) {
            return "invalid unit type for template: \"" + name + "\"";
        }
        if (!NAME.matcher(name).matches()) {
            return "invalid character in unit name";
        }
        if (name.startsWith("@")) {
            return "unit name cannot start in \"@\"";
        }
        return null;
    }

    /** {@code foo@.service}: a template, which is never run itself. */
    public static boolean isTemplate(String name) {
        int dot = name.lastIndexOf('.');
        int at = name.indexOf('@');
        return at > 0 && dot == at + 1;
    }

    /** The template of an instance ({@code foo@1.service} → {@code foo@.service}), or null. */
    public static String templateOf(String name) {
        int dot = name.lastIndexOf('.');
        int at = name.indexOf('@');
        if (at <= 0 || dot <= at + 1) {
            return null;
        }
        return name.substring(0, at + 1) + name.substring(dot);
    }
}
