package dev.flotilla.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import dev.flotilla.cli.FleetFiles.Desired;
import dev.flotilla.cli.FleetFiles.DesiredUnit;
import dev.flotilla.cli.FleetFiles.LabelRule;
import dev.flotilla.cli.Plan.Action;
import dev.flotilla.cli.Plan.Change;
import dev.flotilla.cli.Plan.Kind;
import dev.flotilla.cli.Plan.LiveUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code apply}, {@code diff} and {@code export}: an organization kept in files (docs/declarative.md).
 * The files are read and checked as a whole first; then the live state is read, the {@link Plan}
 * computed, and (apply) each change made on its own: one refused change does not stop the others.
 */
final class Declarative {
    /** diff: the files and the organization differ. */
    static final int DIFFERENCES = 1;
    /** Invalid files, conflicting label rules, bad usage, or --prune without --yes and no terminal. */
    static final int INVALID = 2;
    /** diff: the service refused a read (so that a script never takes it for "differences"). */
    static final int DIFF_REFUSED = 6;

    private Declarative() {}

    /** The options diff and apply share. */
    abstract static class PlanCommand implements Callable<Integer> {
        @ParentCommand
        Cli cli;

        @Option(
                names = {"-f", "--filename"},
                required = true,
                paramLabel = "PATH",
                description = "A directory (its flotilla.yaml and unit files), a YAML document or a unit file;"
                        + " repeatable.")
        List<Path> paths;

        @Option(
                names = "--prune",
                description = "Also delete the units and update policies the files do not name (never machines).")
        boolean prune;

        /** The plan, or null after printing why there is none (the exit code is then in {@link #code}). */
        Plan plan(Api api) {
            Desired desired;
            try {
                desired = FleetFiles.read(paths);
            } catch (FleetFiles.Invalid e) {
                e.problems.forEach(p -> cli.err.println("flotilla: " + p));
                cli.err.println("flotilla: nothing changed: " + e.problems.size() + " problem(s) in the files");
                code = INVALID;
                return null;
            }
            Plan plan = Plan.of(desired, live(api, desired), prune);
            if (!plan.conflicts().isEmpty()) {
                plan.conflicts().forEach(c -> cli.err.println("flotilla: " + c));
                cli.err.println("flotilla: nothing changed: label rules conflict");
                code = INVALID;
                return null;
            }
            return plan;
        }

        int code;
    }

    @Command(
            name = "diff",
            mixinStandardHelpOptions = true,
            description = {
                "Show what apply -f would change, changing nothing (as kubectl diff and terraform plan).",
                "Exit codes: 0 no differences, 1 differences, 2 invalid files or usage, 5 service unreachable,"
                        + " 6 the service refused a read.",
                "",
                "  flotilla diff -f fleet/",
                "  flotilla diff -f fleet/ --prune -o json"
            })
    static final class Diff extends PlanCommand {
        @Override
        public Integer call() {
            try {
                Plan plan = plan(cli.api());
                if (plan == null) {
                    return code;
                }
                if (cli.json()) {
                    cli.print(plan.toJson());
                } else {
                    plan.lines().forEach(cli.out::println);
                }
                return plan.hasDifferences() ? DIFFERENCES : 0;
            } catch (Api.Failure f) {
                cli.err.println("flotilla: " + f.getMessage());
                return f.status == 0 ? Cli.UNREACHABLE : DIFF_REFUSED;
            }
        }
    }

    @Command(
            name = "apply",
            mixinStandardHelpOptions = true,
            description = {
                "Bring the organization to the files: create and change units, update policies and machine labels;"
                        + " with --prune also delete the units and policies the files do not name.",
                "The files are checked as a whole first (nothing changes if one is invalid); then each object is"
                        + " changed on its own, and one the service refuses does not stop the others.",
                "Exit codes: 0 applied, 1 the service refused a change, 2 invalid files or usage, 5 unreachable.",
                "",
                "  flotilla apply -f fleet/",
                "  flotilla apply -f fleet/ --prune --yes"
            })
    static final class Apply extends PlanCommand {
        @Option(
                names = {"-y", "--yes"},
                description = "Do not ask before deleting (--prune).")
        boolean yes;

        @Override
        public Integer call() {
            Api api = cli.api();
            Plan plan = plan(api);
            if (plan == null) {
                return code;
            }
            if (!plan.deletions().isEmpty() && !yes) {
                plan.lines().forEach(cli.out::println);
                cli.out.flush();
                Integer refused = MoreCommands.ask(
                        cli,
                        "apply --prune",
                        "Delete " + plan.deletions().size()
                                + " object(s) the files no longer name, and apply the rest?",
                        "Nothing applied.");
                if (refused != null) {
                    return refused;
                }
            }
            ObjectNode report = plan.toJson();
            int failed = 0;
            int i = 0;
            for (Change c : plan.changes()) {
                ObjectNode entry = (ObjectNode) report.path("changes").get(i++);
                String line = describe(c);
                try {
                    make(api, c);
                    entry.put("outcome", "done");
                    if (!cli.json()) {
                        cli.out.println(line + ": " + done(c));
                    }
                } catch (Api.Failure f) {
                    if (f.status == 0) {
                        throw f; // the service is gone: nothing more can be done
                    }
                    failed++;
                    entry.put("outcome", "failed").put("error", f.getMessage());
                    cli.err.println("flotilla: " + line + ": " + f.getMessage());
                }
            }
            if (cli.json()) {
                cli.print(report);
            } else {
                plan.notes().forEach(n -> cli.out.println("  note: " + n));
                cli.out.println(
                        plan.hasDifferences()
                                ? "Applied " + (plan.changes().size() - failed) + " of "
                                        + plan.changes().size() + " change(s)"
                                        + (failed > 0 ? "; " + failed + " refused." : ".")
                                : "No differences: nothing to apply.");
            }
            return failed > 0 ? Cli.REFUSED : 0;
        }

        private static String describe(Change c) {
            String sign = c.action() == Action.create ? "+" : c.action() == Action.update ? "~" : "-";
            return sign + " " + c.kind() + " " + c.name();
        }

        private static String done(Change c) {
            if (c.kind() == Kind.labels) {
                return c.machines().size() + " machine(s) labelled";
            }
            return switch (c.action()) {
                case create -> "created";
                case update ->
                    "changed ("
                            + String.join(
                                    ", ",
                                    c.fields().stream()
                                            .map(Plan.Field::toString)
                                            .toList()) + ")";
                case delete -> "deleted";
            };
        }

        private static void make(Api api, Change c) {
            switch (c.kind()) {
                case policy -> {
                    String path = "/api/v1/update-policies/" + Api.encode(c.name());
                    switch (c.action()) {
                        case create -> api.post("/api/v1/update-policies", c.policy());
                        case update -> api.put(path, c.policy());
                        case delete -> api.delete(path);
                    }
                }
                case unit -> {
                    String path = "/api/v1/units/" + Api.encode(c.name());
                    DesiredUnit u = c.unit();
                    boolean content = c.action() == Action.create
                            || c.fields().stream().anyMatch(f -> f.name().equals("content"));
                    if (c.action() == Action.delete) {
                        api.delete(path);
                    } else if (content) {
                        Map<String, Object> body = new LinkedHashMap<>();
                        if (u.content() != null) {
                            body.put("content", u.content());
                        }
                        body.put("target", u.target());
                        if (u.rollout() != null) {
                            body.put("rollout", u.rollout());
                        }
                        api.put(path, body);
                    } else {
                        api.patch(path, Map.of("target", u.target()));
                    }
                }
                case labels ->
                    c.machines()
                            .forEach((id, labels) ->
                                    api.patch("/api/v1/machines/" + Api.encode(id) + "/labels", labels));
            }
        }
    }

    /** The organization as the service has it, as far as the files speak of it. */
    static Plan.Live live(Api api, Desired desired) {
        Map<String, DesiredUnit> wanted = new LinkedHashMap<>();
        desired.units().forEach(u -> wanted.put(u.name(), u));
        Map<String, LiveUnit> units = new LinkedHashMap<>();
        for (JsonNode u : Cli.all(api, "/api/v1/units")) {
            String name = u.path("name").asText();
            String hash = u.path("hash").asText();
            DesiredUnit d = wanted.get(name);
            String content = null;
            String rollingOutTo = null;
            if (d != null && d.content() != null && !Plan.hash(d.content()).equals(hash)) {
                // Only for a file that differs: its text for the diff, and whether it is on its way.
                content = api.get("/api/v1/units/" + Api.encode(name))
                        .path("content")
                        .asText();
                if (u.path("global").asBoolean()) {
                    rollingOutTo = rollingOutTo(api, name);
                }
            }
            units.put(name, new LiveUnit(name, u.path("target").asText(), hash, content, rollingOutTo));
        }
        Map<String, JsonNode> policies = new LinkedHashMap<>();
        for (JsonNode p : Cli.all(api, "/api/v1/update-policies")) {
            policies.put(p.path("name").asText(), p);
        }
        Map<String, List<Plan.Machine>> selected = new LinkedHashMap<>();
        for (LabelRule rule : desired.labels()) {
            if (!selected.containsKey(rule.selector())) {
                List<Plan.Machine> machines = new ArrayList<>();
                for (JsonNode m : Cli.all(api, "/api/v1/machines?selector=" + Api.encode(rule.selector()))) {
                    Map<String, String> labels = new LinkedHashMap<>();
                    m.path("labels")
                            .fields()
                            .forEachRemaining(
                                    e -> labels.put(e.getKey(), e.getValue().asText()));
                    machines.add(new Plan.Machine(m.path("id").asText(), labels));
                }
                selected.put(rule.selector(), machines);
            }
        }
        return new Plan.Live(units, policies, selected);
    }

    private static String rollingOutTo(Api api, String unit) {
        try {
            JsonNode r = api.get("/api/v1/units/" + Api.encode(unit) + "/rollout");
            String state = r.path("state").asText();
            return state.equals("running") || state.equals("paused")
                    ? r.path("toHash").asText()
                    : null;
        } catch (Api.Failure f) {
            if (f.status == 404) {
                return null;
            }
            throw f;
        }
    }

    @Command(
            name = "export",
            mixinStandardHelpOptions = true,
            description = {
                "Write the organization's units and update policies as files apply -f takes:"
                        + " DIR/flotilla.yaml and DIR/units/NAME.",
                "Machines and their labels are not exported (label rules are the files' own; see docs/declarative.md).",
                "",
                "  flotilla export fleet/ && git -C fleet add -A"
            })
    static final class Export implements Callable<Integer> {
        @ParentCommand
        Cli cli;

        @Parameters(paramLabel = "DIR", description = "Where to write; must be empty or new, unless --force.")
        Path dir;

        @Option(
                names = "--force",
                description =
                        "Write into a directory that is not empty: replaces flotilla.yaml and the files in units/.")
        boolean force;

        static final YAMLMapper YAML = YAMLMapper.builder()
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                .build();

        @Override
        public Integer call() throws IOException {
            if (Files.exists(dir) && !Files.isDirectory(dir)) {
                cli.err.println("flotilla: " + dir + " is not a directory");
                return INVALID;
            }
            if (Files.isDirectory(dir) && !force && !empty(dir)) {
                cli.err.println("flotilla: " + dir + " is not empty; --force replaces its " + FleetFiles.DOCUMENT
                        + " and " + FleetFiles.UNITS_DIR + "/");
                return INVALID;
            }
            Api api = cli.api();
            ObjectNode doc = Api.JSON.createObjectNode();
            doc.put("apiVersion", FleetFiles.API_VERSION);
            var units = doc.putArray("units");
            Map<String, String> files = new LinkedHashMap<>();
            for (JsonNode listed : Cli.all(api, "/api/v1/units")) {
                String name = listed.path("name").asText();
                JsonNode u = api.get("/api/v1/units/" + Api.encode(name));
                files.put(name, u.path("content").asText());
                units.addObject()
                        .put("name", name)
                        .put("target", u.path("target").asText())
                        .put("file", FleetFiles.UNITS_DIR + "/" + name);
            }
            var policies = doc.putArray("updatePolicies");
            for (JsonNode p : Cli.all(api, "/api/v1/update-policies")) {
                policies.add(Accepted.policyBody(p));
            }
            doc.putArray("labels");
            Path unitsDir = dir.resolve(FleetFiles.UNITS_DIR);
            Files.createDirectories(unitsDir);
            try (Stream<Path> old = Files.list(unitsDir)) {
                for (Path f : old.filter(Files::isRegularFile).toList()) {
                    if (!files.containsKey(f.getFileName().toString())) {
                        Files.delete(f); // a unit of an earlier export would be applied again
                    }
                }
            }
            for (Map.Entry<String, String> f : files.entrySet()) {
                Files.writeString(unitsDir.resolve(f.getKey()), f.getValue(), StandardCharsets.UTF_8);
            }
            String header = "# Flotilla: an organization's desired state (docs/declarative.md).\n"
                    + "# Written by `flotilla export`; apply with `flotilla apply -f " + dir + "`.\n"
                    + "# labels: rules {selector, labels} that set machine labels; the service keeps no rules,\n"
                    + "# so export cannot write them back: add yours here.\n";
            Files.writeString(
                    dir.resolve(FleetFiles.DOCUMENT), header + YAML.writeValueAsString(doc), StandardCharsets.UTF_8);
            cli.err.println(
                    "Exported " + files.size() + " unit(s) and " + policies.size() + " update policy(ies) to " + dir);
            return 0;
        }

        private static boolean empty(Path dir) throws IOException {
            try (Stream<Path> s = Files.list(dir)) {
                return s.findAny().isEmpty();
            }
        }
    }
}
