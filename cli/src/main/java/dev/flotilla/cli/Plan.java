package dev.flotilla.cli;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.flotilla.cli.FleetFiles.Desired;
import dev.flotilla.cli.FleetFiles.DesiredUnit;
import dev.flotilla.cli.FleetFiles.LabelRule;

/**
 * What apply would change to bring an organization to its files: pure code, the files and the live
 * state in, the changes out (no HTTP here; {@link Declarative} reads before and writes after).
 *
 * <p>Units compare by fleet's hash of the file and by target. A policy compares field by field, only
 * the fields the file gives: a field left out of the file is not compared (it matches whatever the
 * service has, and apply keeps that value: see {@link #merge}). Scalars compare by their text
 * ({@code 2} and {@code "2"} are one value). A label rule
 * compares the labels it names on the machines its selector matches now.
 */
record Plan(List<Change> changes, List<String> notes, List<String> conflicts) {
    enum Kind {
        unit,
        policy,
        labels
    }

    enum Action {
        create,
        update,
        delete
    }

    /** One field's change, as printed: {@code target: launched → loaded}. */
    record Field(String name, String from, String to) {
        @Override
        public String toString() {
            return to == null ? name : name + ": " + from + " → " + to;
        }
    }

    /**
     * One object to change. {@code unit} for units, {@code policy} (the file's body) for policies,
     * {@code machines} (machine id → label changes, null removes) for a label rule; {@code diff} the
     * unified diff of a unit file.
     */
    record Change(
            Kind kind,
            Action action,
            String name,
            List<Field> fields,
            String diff,
            DesiredUnit unit,
            ObjectNode policy,
            Map<String, Map<String, String>> machines) {}

    /** A unit as the service has it; {@code rollingOutTo}: the hash a running rollout brings, or null. */
    record LiveUnit(String name, String target, String hash, String content, String rollingOutTo) {}

    /** A machine a label rule's selector matches, with its labels now. */
    record Machine(String id, Map<String, String> labels) {}

    /** The organization now: units and policies by name, the machines each rule's selector matches. */
    record Live(Map<String, LiveUnit> units, Map<String, JsonNode> policies, Map<String, List<Machine>> selected) {}

    boolean hasDifferences() {
        return !changes.isEmpty();
    }

    List<Change> deletions() {
        return changes.stream().filter(c -> c.action() == Action.delete).toList();
    }

    static Plan of(Desired desired, Live live, boolean prune) {
        List<Change> changes = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        List<String> conflicts = new ArrayList<>();
        Set<String> policyNames = new LinkedHashSet<>();
        for (ObjectNode p : desired.policies()) {
            String name = p.path("name").asText();
            policyNames.add(name);
            JsonNode now = live.policies().get(name);
            if (now == null) {
                changes.add(new Change(Kind.policy, Action.create, name, List.of(), null, null, p, null));
            } else {
                List<Field> fields = policyFields(p, now);
                if (!fields.isEmpty()) {
                    ObjectNode body = (ObjectNode) merge(Accepted.policyBody(now), p);
                    changes.add(new Change(Kind.policy, Action.update, name, fields, null, null, body, null));
                }
            }
        }
        Set<String> unitNames = new LinkedHashSet<>();
        for (DesiredUnit u : desired.units()) {
            unitNames.add(u.name());
            LiveUnit now = live.units().get(u.name());
            if (now == null) {
                changes.add(new Change(Kind.unit, Action.create, u.name(), List.of(), null, u, null, null));
                continue;
            }
            List<Field> fields = new ArrayList<>();
            String diff = null;
            if (u.content() != null) {
                String hash = hash(u.content());
                if (hash.equals(now.rollingOutTo()) && !hash.equals(now.hash())) {
                    notes.add("unit " + u.name() + ": its new file is rolling out");
                } else if (!hash.equals(now.hash())) {
                    fields.add(new Field("content", null, null));
                    diff = TextDiff.unified(u.name(), now.content(), u.content());
                }
            }
            if (!u.target().equals(now.target())) {
                fields.add(new Field("target", now.target(), u.target()));
            }
            if (!fields.isEmpty()) {
                changes.add(new Change(Kind.unit, Action.update, u.name(), fields, diff, u, null, null));
            }
        }
        labelChanges(desired.labels(), live, changes, conflicts);
        if (prune) {
            for (String name : new TreeMap<>(live.units()).keySet()) {
                if (!unitNames.contains(name)) {
                    changes.add(new Change(Kind.unit, Action.delete, name, List.of(), null, null, null, null));
                }
            }
            for (String name : new TreeMap<>(live.policies()).keySet()) {
                if (!policyNames.contains(name)) {
                    changes.add(new Change(Kind.policy, Action.delete, name, List.of(), null, null, null, null));
                }
            }
        }
        return new Plan(List.copyOf(changes), List.copyOf(notes), List.copyOf(conflicts));
    }

    static String hash(String content) {
        return dev.flotilla.api.unit.UnitFile.parse(content).hash();
    }

    /** The fields the file gives that differ from the live policy's. */
    static List<Field> policyFields(ObjectNode file, JsonNode live) {
        List<Field> fields = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = file.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode now = live.get(e.getKey());
            if (!e.getKey().equals("name") && !same(e.getValue(), now)) {
                fields.add(new Field(e.getKey(), show(now), show(e.getValue())));
            }
        }
        return fields;
    }

    /** Whether the live value holds what the file's value says (fields left out match anything). */
    static boolean same(JsonNode file, JsonNode live) {
        if (file == null || file.isNull()) {
            return true;
        }
        if (live == null || live.isNull() || live.isMissingNode()) {
            return false;
        }
        if (file.isObject()) {
            if (!live.isObject()) {
                return false;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = file.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!same(e.getValue(), live.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        if (file.isArray()) {
            if (!live.isArray() || live.size() != file.size()) {
                return false;
            }
            for (int i = 0; i < file.size(); i++) {
                if (!same(file.get(i), live.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return !live.isContainerNode() && file.asText().equals(live.asText());
    }

    /**
     * The body that replaces a policy: what it has now, overlaid by what the file gives (deeply: a
     * field the file leaves out keeps its value, also inside a window), so that apply changes just
     * what diff showed. A list of another length than the live one is taken from the file as it is.
     */
    static JsonNode merge(JsonNode live, JsonNode file) {
        if (file == null || file.isNull()) {
            return live;
        }
        if (live != null && live.isObject() && file.isObject()) {
            ObjectNode out = live.deepCopy();
            file.fields().forEachRemaining(e -> {
                if (!e.getValue().isNull()) {
                    out.set(e.getKey(), merge(live.get(e.getKey()), e.getValue()));
                }
            });
            return out;
        }
        if (live != null && live.isArray() && file.isArray() && live.size() == file.size()) {
            var out = Api.JSON.createArrayNode();
            for (int i = 0; i < file.size(); i++) {
                out.add(merge(live.get(i), file.get(i)));
            }
            return out;
        }
        return file;
    }

    private static String show(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return "-";
        }
        return n.isValueNode() ? n.asText() : n.toString();
    }

    /**
     * One change per rule, for the machines whose labels differ from what it names. Two rules that
     * give one label of one machine different values conflict: the plan cannot be applied.
     */
    private static void labelChanges(List<LabelRule> rules, Live live, List<Change> changes, List<String> conflicts) {
        Map<String, Map<String, LabelRule>> claimed = new LinkedHashMap<>(); // machine → key → rule
        for (LabelRule rule : rules) {
            Map<String, Map<String, String>> perMachine = new TreeMap<>();
            Map<String, Set<String>> from = new TreeMap<>();
            for (Machine m : live.selected().getOrDefault(rule.selector(), List.of())) {
                Map<String, String> wanted = new LinkedHashMap<>();
                rule.labels().forEach((key, value) -> {
                    LabelRule before = claimed.computeIfAbsent(m.id(), k -> new LinkedHashMap<>())
                            .putIfAbsent(key, rule);
                    if (before != null) {
                        if (!Objects.equals(before.labels().get(key), value)) {
                            conflicts.add("machine " + m.id() + ": label " + key + " is "
                                    + show(before.labels().get(key)) + " by " + before.source() + " but "
                                    + show(value) + " by " + rule.source());
                        }
                        return;
                    }
                    String now = m.labels().get(key);
                    if (!Objects.equals(now, value)) {
                        wanted.put(key, value);
                        from.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(now == null ? "-" : now);
                    }
                });
                if (!wanted.isEmpty()) {
                    perMachine.put(m.id(), wanted);
                }
            }
            if (!perMachine.isEmpty()) {
                List<Field> fields = new ArrayList<>();
                from.forEach((key, olds) -> fields.add(new Field(
                        key,
                        String.join(", ", new java.util.TreeSet<>(olds)),
                        show(rule.labels().get(key)))));
                changes.add(
                        new Change(Kind.labels, Action.update, rule.selector(), fields, null, null, null, perMachine));
            }
        }
    }

    private static String show(String value) {
        return value == null ? "-" : value;
    }

    /** The plan as people read it, like terraform plan and kubectl diff. */
    List<String> lines() {
        List<String> lines = new ArrayList<>();
        for (Change c : changes) {
            String sign = switch (c.action()) {
                case create -> "+";
                case update -> "~";
                case delete -> "-";
            };
            String head = sign + " " + c.kind() + " " + c.name();
            if (c.kind() == Kind.labels) {
                head += ": " + c.machines().size() + (c.machines().size() == 1 ? " machine" : " machines");
            }
            if (!c.fields().isEmpty()) {
                head += " ("
                        + String.join(
                                ", ", c.fields().stream().map(Field::toString).toList()) + ")";
            }
            lines.add(head);
            if (c.diff() != null) {
                c.diff().lines().forEach(l -> lines.add("    " + l));
            }
        }
        notes.forEach(n -> lines.add("  note: " + n));
        lines.add(summary());
        return lines;
    }

    String summary() {
        if (changes.isEmpty()) {
            return "No differences.";
        }
        long add = changes.stream().filter(c -> c.action() == Action.create).count();
        long change = changes.stream().filter(c -> c.action() == Action.update).count();
        long delete = changes.stream().filter(c -> c.action() == Action.delete).count();
        return "Plan: " + add + " to add, " + change + " to change, " + delete + " to delete.";
    }

    /** The plan as data, for {@code -o json} and {@code -o yaml}. */
    ObjectNode toJson() {
        ObjectNode root = Api.JSON.createObjectNode();
        root.put("differences", hasDifferences());
        var list = root.putArray("changes");
        for (Change c : changes) {
            ObjectNode n = list.addObject();
            n.put("kind", c.kind().name());
            n.put("action", c.action().name());
            n.put("name", c.name());
            var fields = n.putArray("fields");
            for (Field f : c.fields()) {
                ObjectNode fn = fields.addObject().put("field", f.name());
                if (f.to() != null) {
                    fn.put("from", f.from()).put("to", f.to());
                }
            }
            if (c.diff() != null) {
                n.put("diff", c.diff());
            }
            if (c.machines() != null) {
                n.set("machines", Api.JSON.valueToTree(c.machines()));
            }
        }
        root.set("notes", Api.JSON.valueToTree(notes));
        return root;
    }
}
