package dev.flotilla.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import dev.flotilla.api.rest.RolloutPolicy;
import dev.flotilla.api.rest.UpdateWindow;
import dev.flotilla.api.selector.LabelSelector;
import dev.flotilla.api.selector.Labels;
import dev.flotilla.api.unit.FleetRequirements;
import dev.flotilla.api.unit.UnitFile;
import dev.flotilla.api.unit.UnitNames;

/**
 * The files an organization is kept in (docs/declarative.md, docs/flotilla-files.schema.json): read
 * and checked as a whole before anything is changed. Every problem is collected, each naming its
 * file and field, so that one run shows them all.
 */
final class FleetFiles {
    static final String API_VERSION = "flotilla.dev/v1";
    static final String DOCUMENT = "flotilla.yaml";
    static final String UNITS_DIR = "units";
    static final List<String> TARGETS = List.of("inactive", "loaded", "launched");

    // A key given twice in one mapping is an error, not "the last one wins".
    static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    static final Set<String> TOP = Set.of("apiVersion", "units", "updatePolicies", "labels");
    static final Set<String> UNIT = Set.of("name", "target", "file", "content", "rollout");
    static final Set<String> RULE = Set.of("selector", "labels");

    /** What the files ask for. {@code content} is null for an instance that takes its template's file. */
    record DesiredUnit(String name, String target, String content, JsonNode rollout, String source) {}

    /** Labels to set ({@code null}: to remove) on every machine the selector matches. */
    record LabelRule(String selector, Map<String, String> labels, String source) {}

    /** The whole desired state, in the order of the files. */
    record Desired(List<DesiredUnit> units, List<ObjectNode> policies, List<LabelRule> labels) {}

    /** Files that cannot be applied: every problem found, each as {@code FILE: FIELD: what is wrong}. */
    static final class Invalid extends Exception {
        final List<String> problems;

        Invalid(List<String> problems) {
            super(String.join("\n", problems));
            this.problems = List.copyOf(problems);
        }
    }

    private final List<String> problems = new ArrayList<>();
    private final Map<String, DesiredUnit> units = new TreeMap<>();
    private final Map<String, ObjectNode> policies = new LinkedHashMap<>();
    private final Map<String, String> policySources = new LinkedHashMap<>();
    private final List<LabelRule> labels = new ArrayList<>();

    private FleetFiles() {}

    /**
     * Reads each path: a directory (its {@code flotilla.yaml}, if any, and the unit files at its top
     * and in its {@code units/}), a YAML document, or one unit file (that unit, launched).
     */
    static Desired read(List<Path> paths) throws Invalid {
        FleetFiles f = new FleetFiles();
        for (Path p : paths) {
            f.readPath(p);
        }
        if (!f.problems.isEmpty()) {
            throw new Invalid(f.problems);
        }
        return new Desired(List.copyOf(f.units.values()), List.copyOf(f.policies.values()), List.copyOf(f.labels));
    }

    private void readPath(Path p) {
        if (Files.isDirectory(p)) {
            Path doc = p.resolve(DOCUMENT);
            Map<String, Path> named = new LinkedHashMap<>();
            if (Files.isRegularFile(doc)) {
                readDocument(doc, named);
            }
            // Unit files the document does not name are units too, with the default target.
            for (Path dir : List.of(p, p.resolve(UNITS_DIR))) {
                for (Path file : unitFiles(dir)) {
                    String name = file.getFileName().toString();
                    if (!named.containsKey(name)) {
                        addUnit(new DesiredUnit(name, "launched", readUnitFile(file, name), null, file.toString()));
                    }
                }
            }
        } else if (Files.isRegularFile(p)) {
            String name = p.getFileName().toString();
            if (name.endsWith(".yaml") || name.endsWith(".yml")) {
                readDocument(p, new LinkedHashMap<>());
            } else if (UnitNames.problem(name) == null) {
                addUnit(new DesiredUnit(name, "launched", readUnitFile(p, name), null, p.toString()));
            } else {
                problems.add(p + ": neither a YAML document (.yaml, .yml) nor a unit file: " + UnitNames.problem(name));
            }
        } else {
            problems.add(p + ": no such file or directory");
        }
    }

    private List<Path> unitFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile)
                    .filter(f -> UnitNames.problem(f.getFileName().toString()) == null)
                    .sorted()
                    .toList();
        } catch (IOException e) {
            problems.add(dir + ": cannot list: " + e.getMessage());
            return List.of();
        }
    }

    private String readUnitFile(Path file, String name) {
        try {
            String content = Files.readString(file, StandardCharsets.UTF_8);
            String problem = unitProblem(name, content);
            if (problem != null) {
                problems.add(file + ": " + problem);
            }
            return content;
        } catch (IOException e) {
            problems.add(file + ": cannot read: " + e.getMessage());
            return null;
        }
    }

    /** fleet's rules for a unit file, as {@code flotilla verify} checks them, or null. */
    static String unitProblem(String name, String content) {
        try {
            return FleetRequirements.of(UnitFile.parse(content), name).problem();
        } catch (UnitFile.SyntaxException e) {
            return e.getMessage();
        }
    }

    private void addUnit(DesiredUnit u) {
        DesiredUnit before = units.putIfAbsent(u.name(), u);
        if (before != null) {
            problems.add(u.source() + ": unit " + u.name() + " is also given by " + before.source());
        }
    }

    private void readDocument(Path doc, Map<String, Path> named) {
        JsonNode root;
        try {
            List<JsonNode> documents = YAML.readValues(YAML.createParser(doc.toFile()), JsonNode.class)
                    .readAll();
            if (documents.size() > 1) {
                problems.add(doc + ": holds " + documents.size() + " YAML documents; one per file");
                return;
            }
            root = documents.isEmpty() ? null : documents.get(0);
        } catch (JsonProcessingException e) {
            problems.add(doc + ": not valid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() == null
                            ? ""
                            : " (line " + e.getLocation().getLineNr() + ", column "
                                    + e.getLocation().getColumnNr() + ")"));
            return;
        } catch (IOException e) {
            problems.add(doc + ": cannot read: " + e.getMessage());
            return;
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            problems.add(doc + ": empty; it needs at least apiVersion: " + API_VERSION);
            return;
        }
        if (!root.isObject()) {
            problems.add(doc + ": must be a mapping with apiVersion, units, updatePolicies, labels");
            return;
        }
        unknown(doc, "", root, TOP);
        if (!API_VERSION.equals(root.path("apiVersion").asText(null))) {
            problems.add(doc + ": apiVersion: must be " + API_VERSION + ", not "
                    + (root.has("apiVersion") ? "'" + root.get("apiVersion").asText() + "'" : "missing"));
        }
        Path base = doc.toAbsolutePath().getParent();
        int i = 0;
        for (JsonNode u : list(doc, root, "units")) {
            readUnit(doc, base, "units[" + i++ + "]", u, named);
        }
        i = 0;
        for (JsonNode p : list(doc, root, "updatePolicies")) {
            readPolicy(doc, "updatePolicies[" + i++ + "]", p);
        }
        i = 0;
        for (JsonNode r : list(doc, root, "labels")) {
            readRule(doc, "labels[" + i++ + "]", r);
        }
    }

    private List<JsonNode> list(Path doc, JsonNode root, String field) {
        JsonNode n = root.path(field);
        if (n.isMissingNode() || n.isNull()) {
            return List.of();
        }
        if (!n.isArray()) {
            problems.add(doc + ": " + field + ": must be a list");
            return List.of();
        }
        List<JsonNode> items = new ArrayList<>();
        n.forEach(items::add);
        return items;
    }

    private void readUnit(Path doc, Path base, String at, JsonNode u, Map<String, Path> named) {
        if (!object(doc, at, u)) {
            return;
        }
        unknown(doc, at + ".", u, UNIT);
        String name = text(doc, at + ".name", u.path("name"), true);
        String target = text(doc, at + ".target", u.path("target"), false);
        String file = text(doc, at + ".file", u.path("file"), false);
        String content = text(doc, at + ".content", u.path("content"), false);
        if (name == null) {
            return;
        }
        String where = doc + ": " + at + " (" + name + ")";
        String problem = UnitNames.problem(name);
        if (problem != null) {
            problems.add(where + ".name: " + problem);
            return;
        }
        if (target == null) {
            target = "launched";
        } else if (!TARGETS.contains(target)) {
            problems.add(where + ".target: must be inactive, loaded or launched, not '" + target + "'");
        }
        JsonNode rollout = u.path("rollout");
        if (rollout.isMissingNode() || rollout.isNull()) {
            rollout = null;
        } else if (object(doc, at + ".rollout", rollout)) {
            unknown(doc, at + ".rollout.", rollout, Accepted.fields(RolloutPolicy.class));
        }
        Path path = null;
        if (file != null && content != null) {
            problems.add(where + ": give file or content, not both");
        } else if (file != null) {
            path = base.resolve(file).normalize();
            if (!path.getFileName().toString().equals(name)) {
                problems.add(where + ".file: the file name is the unit name: " + file + " is not " + name);
                return;
            }
            if (!Files.isRegularFile(path)) {
                problems.add(where + ".file: no such file " + path);
                return;
            }
        } else if (content == null) {
            for (Path candidate : List.of(base.resolve(UNITS_DIR).resolve(name), base.resolve(name))) {
                if (path == null && Files.isRegularFile(candidate)) {
                    path = candidate;
                }
            }
            if (path == null && UnitNames.templateOf(name) == null) {
                problems.add(where + ": no content, no file and no " + UNITS_DIR + "/" + name + " beside " + doc
                        + " (only an instance may take its template's file)");
                return;
            }
        }
        if (path != null) {
            content = readUnitFile(path, name);
        } else if (content != null) {
            String p = unitProblem(name, content);
            if (p != null) {
                problems.add(where + ".content: " + p);
            }
        }
        named.put(name, path);
        addUnit(new DesiredUnit(name, target, content, rollout, doc + ": " + at));
    }

    private void readPolicy(Path doc, String at, JsonNode p) {
        if (!object(doc, at, p)) {
            return;
        }
        unknown(doc, at + ".", p, Accepted.policyFields());
        String name = text(doc, at + ".name", p.path("name"), true);
        if (name == null) {
            return;
        }
        if (!name.matches("[a-zA-Z0-9.-]{1,63}")) {
            problems.add(doc + ": " + at + ".name: '" + name + "' is not 1 to 63 letters, digits, '.' or '-'");
        }
        int i = 0;
        for (JsonNode w : p.path("windows")) {
            String wat = at + ".windows[" + i++ + "]";
            if (object(doc, wat, w)) {
                unknown(doc, wat + ".", w, Accepted.fields(UpdateWindow.class));
            }
        }
        String before = policySources.putIfAbsent(name, doc + ": " + at);
        if (before != null) {
            problems.add(doc + ": " + at + ": policy " + name + " is also given by " + before);
            return;
        }
        policies.put(name, (ObjectNode) p);
    }

    private void readRule(Path doc, String at, JsonNode r) {
        if (!object(doc, at, r)) {
            return;
        }
        unknown(doc, at + ".", r, RULE);
        String selector = text(doc, at + ".selector", r.path("selector"), true);
        if (selector != null) {
            try {
                LabelSelector.parse(selector);
            } catch (IllegalArgumentException e) {
                problems.add(doc + ": " + at + ".selector: " + e.getMessage());
            }
        }
        JsonNode set = r.path("labels");
        if (!set.isObject() || set.isEmpty()) {
            problems.add(doc + ": " + at + ".labels: must be a mapping of at least one KEY: VALUE");
            return;
        }
        Map<String, String> changes = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = set.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode v = e.getValue();
            // "-" (not a valid value) and null both mean: the label must not be there.
            String value = v.isNull() || "-".equals(v.asText()) ? null : v.asText();
            if (!Labels.isValidKey(key)) {
                problems.add(doc + ": " + at + ".labels: invalid label key '" + key + "'");
            } else if (v.isContainerNode()) {
                problems.add(doc + ": " + at + ".labels." + key + ": must be a text, null or '-'");
            } else if (value != null && !Labels.isValidValue(value)) {
                problems.add(doc + ": " + at + ".labels." + key + ": invalid value '" + value + "'");
            }
            changes.put(key, value);
        }
        if (selector != null) {
            labels.add(new LabelRule(selector, changes, doc + ": " + at));
        }
    }

    private boolean object(Path doc, String at, JsonNode n) {
        if (!n.isObject()) {
            problems.add(doc + ": " + at + ": must be a mapping");
            return false;
        }
        return true;
    }

    private void unknown(Path doc, String at, JsonNode n, Set<String> allowed) {
        n.fieldNames().forEachRemaining(f -> {
            if (!allowed.contains(f)) {
                problems.add(doc + ": " + at + f + ": unknown field (known: "
                        + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        });
    }

    private String text(Path doc, String at, JsonNode n, boolean required) {
        if (n.isMissingNode() || n.isNull()) {
            if (required) {
                problems.add(doc + ": " + at + ": required");
            }
            return null;
        }
        if (!n.isValueNode()) {
            problems.add(doc + ": " + at + ": must be a text");
            return null;
        }
        return n.asText();
    }
}
