package dev.flotilla.api.unit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A unit's {@code [X-Fleet]} section, read as CoreOS fleet read it ({@code job/job.go}): current
 * and deprecated spellings merged (deprecated values first), several values on one line when the
 * value is quoted ({@code MachineMetadata="region=eu" "disk=ssd"}), the specifiers {@code %n %N %p
 * %i} replaced for the unit's name, and fleet's invalid combinations refused with fleet's words.
 *
 * @param global run on every matching machine ({@code Global}: the last value counts)
 * @param machineId the machine it must run on ({@code MachineID}, else {@code
 *     X-ConditionMachineID}, else {@code X-ConditionMachineBootID}; the first value); null if none
 * @param machineOf units it must run beside ({@code MachineOf}, {@code X-ConditionMachineOf})
 * @param conflicts globs of units it must not run beside ({@code Conflicts}, {@code X-Conflicts})
 * @param replaces globs of units it pushes off its machine ({@code Replaces})
 * @param metadata required machine labels: every key must match, any of its values ({@code
 *     MachineMetadata}, {@code X-ConditionMachineMetadata}; a value that is not {@code k=v} is
 *     ignored, as fleet did)
 */
public record FleetRequirements(
        boolean global,
        String machineId,
        List<String> machineOf,
        List<String> conflicts,
        List<String> replaces,
        Map<String, Set<String>> metadata) {
    public static final String SECTION = "X-Fleet";

    /** Every key fleet understood; others are ignored (fleet only warned). */
    public static final Set<String> KEYS = Set.of(
            "Global",
            "MachineID",
            "X-ConditionMachineID",
            "X-ConditionMachineBootID",
            "MachineOf",
            "X-ConditionMachineOf",
            "Conflicts",
            "X-Conflicts",
            "MachineMetadata",
            "X-ConditionMachineMetadata",
            "Replaces");

    public FleetRequirements {
        machineOf = List.copyOf(machineOf);
        conflicts = List.copyOf(conflicts);
        replaces = List.copyOf(replaces);
        Map<String, Set<String>> m = new LinkedHashMap<>();
        metadata.forEach((k, v) -> m.put(k, Set.copyOf(v)));
        metadata = java.util.Collections.unmodifiableMap(m);
    }

    /** Reads the requirements of {@code file} for the unit named {@code unitName}. */
    public static FleetRequirements of(UnitFile file, String unitName) {
        Specifiers spec = Specifiers.of(unitName);
        boolean global = false;
        List<String> globals = values(file, "Global", spec);
        if (!globals.isEmpty()) {
            global = truthy(globals.get(globals.size() - 1));
        }
        String machineId = null;
        for (String key : List.of("MachineID", "X-ConditionMachineID", "X-ConditionMachineBootID")) {
            List<String> v = values(file, key, spec);
            if (!v.isEmpty()) {
                machineId = v.get(0);
                break;
            }
        }
        Map<String, Set<String>> metadata = new LinkedHashMap<>();
        for (String pair : merged(file, "X-ConditionMachineMetadata", "MachineMetadata", spec)) {
            String[] kv = pair.split("=", -1);
            if (kv.length == 2 && !kv[0].isEmpty() && !kv[1].isEmpty()) {
                metadata.computeIfAbsent(kv[0], k -> new LinkedHashSet<>()).add(kv[1]);
            }
        }
        return new FleetRequirements(
                global,
                machineId,
                names(merged(file, "X-ConditionMachineOf", "MachineOf", spec)),
                names(merged(file, "X-Conflicts", "Conflicts", spec)),
                names(values(file, "Replaces", spec)),
                metadata);
    }

    /**
     * Why these requirements can never be met, in fleet's words ({@code api.ValidateOptions}), or
     * null. Fleet's later rules: Global with Conflicts is allowed; Replaces combines with neither
     * MachineID, Global nor Conflicts; a unit may not need to run beside a unit it conflicts with
     * or replaces.
     */
    public String problem() {
        if (conflicts.size() + replaces.size() > Glob.MAX_PATTERNS) {
            return "Conflicts and Replaces: more than " + Glob.MAX_PATTERNS + " patterns";
        }
        if (machineOf.size() > Glob.MAX_PATTERNS) {
            return "MachineOf: more than " + Glob.MAX_PATTERNS + " units";
        }
        for (String pattern : conflicts) {
            String why = Glob.problem(pattern);
            if (why != null) {
                return "Conflicts: " + why;
            }
        }
        for (String pattern : replaces) {
            String why = Glob.problem(pattern);
            if (why != null) {
                return "Replaces: " + why;
            }
        }
        for (String peer : machineOf) {
            if (peer.length() > Glob.MAX_LENGTH) {
                return "MachineOf: unit name longer than " + Glob.MAX_LENGTH + " characters";
            }
        }
        for (String peer : machineOf) {
            for (String c : conflicts) {
                if (glob(c, peer)) {
                    return "unresolvable requirements: peer \"" + peer + "\" matches conflict \"" + c + "\"";
                }
            }
            for (String r : replaces) {
                if (glob(r, peer)) {
                    return "unresolvable requirements: peer \"" + peer + "\" matches replace \"" + r + "\"";
                }
            }
        }
        boolean target = machineId != null;
        boolean peers = !machineOf.isEmpty();
        boolean conflicting = !conflicts.isEmpty();
        boolean replacing = !replaces.isEmpty();
        if (target && peers) {
            return "MachineID cannot be used with Peers";
        }
        if (target && conflicting) {
            return "MachineID cannot be used with Conflicts";
        }
        if (target && global) {
            return "MachineID cannot be used with Global";
        }
        if (target && replacing) {
            return "MachineID cannot be used with Replaces";
        }
        if (global && peers) {
            return "Global cannot be used with Peers";
        }
        if (global && replacing) {
            return "Global cannot be used with Replaces";
        }
        if (conflicting && replacing) {
            return "Conflicts cannot be used with Replaces";
        }
        return null;
    }

    /** Whether a machine with these labels satisfies {@code MachineMetadata}. */
    public boolean matchesLabels(Map<String, String> labels) {
        for (Map.Entry<String, Set<String>> e : metadata.entrySet()) {
            String v = labels.get(e.getKey());
            if (v == null || !e.getValue().contains(v)) {
                return false;
            }
        }
        return true;
    }

    /** Whether this unit conflicts with {@code other} (in either direction, never with itself). */
    public boolean conflictsWith(String self, String other, FleetRequirements otherRequirements) {
        if (self.equals(other)) {
            return false;
        }
        return conflicts.stream().anyMatch(c -> glob(c, other))
                || otherRequirements.conflicts.stream().anyMatch(c -> glob(c, self));
    }

    /** Go's {@code path.Match}, which fleet used for Conflicts and Replaces ({@link Glob}, linear). */
    public static boolean glob(String pattern, String name) {
        return Glob.matches(pattern, name);
    }

    /** fleet's isTruthyValue. */
    static boolean truthy(String v) {
        return Set.of("true", "yes", "1", "on", "t").contains(v.toLowerCase(Locale.ROOT));
    }

    private static List<String> merged(UnitFile file, String deprecated, String current, Specifiers spec) {
        List<String> out = new ArrayList<>(values(file, deprecated, spec));
        out.addAll(values(file, current, spec));
        return out;
    }

    private static List<String> values(UnitFile file, String key, Specifiers spec) {
        List<String> out = new ArrayList<>();
        for (String raw : file.values(SECTION, key)) {
            for (String v : multivalue(raw)) {
                out.add(spec == null ? v : spec.apply(v));
            }
        }
        return out;
    }

    /**
     * Unit names and globs, which hold no blanks: {@code Conflicts=a.service b.service} names two
     * units (as {@code Conflicts="a.service" "b.service"} does), not one name with a space that no
     * unit could have.
     */
    private static List<String> names(List<String> values) {
        List<String> out = new ArrayList<>();
        for (String v : values) {
            for (String word : v.strip().split("\\s+")) {
                if (!word.isEmpty()) {
                    out.add(word);
                }
            }
        }
        return out;
    }

    /**
     * fleet's parseMultivalueLine: a value that starts and ends with a double quote holds several
     * values, separated by spaces outside quotes; anything else is one value.
     */
    static List<String> multivalue(String line) {
        if (line.length() < 2 || !line.startsWith("\"") || !line.endsWith("\"")) {
            return List.of(line);
        }
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (char c : line.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ' ' && !quoted) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }

    /** systemd's specifiers as fleet supported them in [X-Fleet]: %n %N %p %i. */
    record Specifiers(String full, String name, String prefix, String instance) {
        static Specifiers of(String unitName) {
            int dot = unitName.lastIndexOf('.');
            if (dot < 0) {
                return null;
            }
            String name = unitName.substring(0, dot);
            int at = name.indexOf('@');
            return new Specifiers(
                    unitName, name, at < 0 ? name : name.substring(0, at), at < 0 ? "" : name.substring(at + 1));
        }

        String apply(String v) {
            return v.replace("%n", full)
                    .replace("%N", name)
                    .replace("%p", prefix)
                    .replace("%i", instance);
        }
    }
}
