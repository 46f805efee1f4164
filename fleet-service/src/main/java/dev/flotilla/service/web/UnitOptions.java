package dev.flotilla.service.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.flotilla.api.unit.FleetRequirements;

/** A unit's [X-Fleet] rules in words, for the dashboard. */
final class UnitOptions {
    private UnitOptions() {}

    static List<String> describe(FleetRequirements r) {
        List<String> lines = new ArrayList<>();
        String labels = labels(r.metadata());
        if (r.global()) {
            lines.add(
                    labels == null
                            ? "Global: runs on every machine"
                            : "Global: runs on every machine labelled " + labels);
        } else if (r.machineId() != null) {
            lines.add("Runs on machine " + r.machineId() + " only");
        } else {
            lines.add("Runs on one machine, the least loaded that qualifies"
                    + (labels == null ? "" : ", labelled " + labels));
        }
        if (!r.machineOf().isEmpty()) {
            lines.add("Only beside " + String.join(", ", r.machineOf()));
        }
        if (!r.conflicts().isEmpty()) {
            lines.add("Never beside " + String.join(", ", r.conflicts()));
        }
        if (!r.replaces().isEmpty()) {
            lines.add("Replaces " + String.join(", ", r.replaces()) + " on the machine it goes to");
        }
        return lines;
    }

    /** {@code role=web or role=api, and region=eu}; null when there are no label rules. */
    private static String labels(Map<String, Set<String>> metadata) {
        if (metadata.isEmpty()) {
            return null;
        }
        List<String> keys = new ArrayList<>();
        metadata.forEach((k, values) -> keys.add(String.join(
                " or ", values.stream().sorted().map(v -> k + "=" + v).toList())));
        return String.join(", and ", keys);
    }
}
