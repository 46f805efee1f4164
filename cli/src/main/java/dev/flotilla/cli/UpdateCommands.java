package dev.flotilla.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * update-policy and lease: the OS update policies (windows and limits) and the leases they grant.
 * Policies are passed to the API as written, only {@code name} is read here: the API's field names
 * are its own to change.
 */
final class UpdateCommands {
    private UpdateCommands() {}

    static final String POLICIES = "/api/v1/update-policies";

    @Command(
            name = "update-policy",
            mixinStandardHelpOptions = true,
            description = "List, show, apply, pause, resume and delete update policies.",
            subcommands = {
                UpdatePolicy.ListPolicies.class,
                UpdatePolicy.Get.class,
                UpdatePolicy.Apply.class,
                UpdatePolicy.Pause.class,
                UpdatePolicy.Resume.class,
                UpdatePolicy.Delete.class
            })
    static final class UpdatePolicy implements Callable<Integer> {
        @ParentCommand
        Cli cli;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().usage(cli.out);
            return 0;
        }

        /** Policies as a table; fields read defensively (a missing one is blank). */
        static void table(Cli cli, List<JsonNode> policies) {
            if (cli.json()) {
                cli.print(Api.JSON.valueToTree(policies));
                return;
            }
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode p : policies) {
                List<String> row = new ArrayList<>(List.of(
                        field(p, "name"),
                        field(p, "selector").isEmpty() ? "(all)" : field(p, "selector"),
                        paused(p) ? "paused" : "active",
                        p.has("openNow") ? (p.path("openNow").asBoolean() ? "yes" : "no") : "",
                        field(p, "maxParallel"),
                        field(p, "machines"),
                        field(p, "updating"),
                        field(p, "priority")));
                if ("wide".equals(cli.output)) {
                    row.add(field(p, "pausedReason"));
                }
                rows.add(row);
            }
            List<String> header = new ArrayList<>(
                    List.of("NAME", "SELECTOR", "STATE", "OPEN", "PARALLEL", "MACHINES", "UPDATING", "PRIORITY"));
            if ("wide".equals(cli.output)) {
                header.add("REASON");
            }
            cli.table(header, rows);
        }

        static boolean paused(JsonNode p) {
            return p.path("paused").asBoolean();
        }

        @Command(name = "list", mixinStandardHelpOptions = true, description = "The organization's update policies.")
        static final class ListPolicies implements Callable<Integer> {
            @ParentCommand
            UpdatePolicy parent;

            @Override
            public Integer call() {
                table(parent.cli, Cli.all(parent.cli.api(), POLICIES));
                return 0;
            }
        }

        @Command(
                name = "get",
                mixinStandardHelpOptions = true,
                description = {
                    "One update policy, as the service shows it: with its state (openNow, machines, ...),",
                    "which apply -f does not take back; keep the file you applied instead."
                })
        static final class Get implements Callable<Integer> {
            @ParentCommand
            UpdatePolicy parent;

            @Parameters(paramLabel = "NAME")
            String name;

            @Override
            public Integer call() {
                JsonNode p = parent.cli.api().get(POLICIES + "/" + Api.encode(name));
                if (parent.cli.json()) {
                    parent.cli.print(p);
                } else {
                    table(parent.cli, List.of(p));
                }
                return 0;
            }
        }

        @Command(
                name = "apply",
                mixinStandardHelpOptions = true,
                description = {
                    "Create a policy from a YAML or JSON file, or replace the one of its name.",
                    "The file holds one policy as the API takes it (POST /api/v1/update-policies), its name included;",
                    "it is sent as it is. `-f -` reads standard input.",
                    "",
                    "Example file:",
                    "  name: web",
                    "  selector: role=web",
                    "  maxParallel: \"25%\"",
                    "  windows:",
                    "    - ...   (see GET /q/openapi, schema NewUpdatePolicy)"
                })
        static final class Apply implements Callable<Integer> {
            @ParentCommand
            UpdatePolicy parent;

            @Option(
                    names = {"-f", "--filename"},
                    required = true,
                    paramLabel = "FILE",
                    description = "The policy, YAML or JSON; - for standard input.")
            String file;

            @Override
            public Integer call() throws IOException {
                Cli cli = parent.cli;
                ObjectNode policy = read(cli, file);
                if (policy == null) {
                    return 2;
                }
                String name = policy.path("name").asText();
                Api api = cli.api();
                String path = POLICIES + "/" + Api.encode(name);
                JsonNode answer;
                String verb;
                if (!exists(api, path)) {
                    answer = api.post(POLICIES, policy);
                    verb = "created";
                } else {
                    answer = api.put(path, policy);
                    verb = "configured";
                }
                if (cli.json()) {
                    cli.print(answer);
                } else if ("name".equals(cli.output)) {
                    cli.out.println(name);
                } else {
                    cli.err.println("update-policy " + name + " " + verb);
                }
                return 0;
            }

            /** The one policy of the file, or null (said why) when the file is not one. */
            static ObjectNode read(Cli cli, String file) throws IOException {
                String text;
                if ("-".equals(file)) {
                    text = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
                } else if (Files.isRegularFile(Path.of(file))) {
                    text = Files.readString(Path.of(file), StandardCharsets.UTF_8);
                } else {
                    cli.err.println("flotilla: no file " + file);
                    return null;
                }
                ObjectMapper mapper = text.stripLeading().startsWith("{") ? Api.JSON : new YAMLMapper();
                JsonNode doc;
                try {
                    doc = mapper.readTree(text);
                } catch (IOException e) {
                    cli.err.println("flotilla: " + file + " is neither YAML nor JSON: " + e.getMessage());
                    return null;
                }
                if (doc == null || !doc.isObject()) {
                    cli.err.println("flotilla: " + file + " must hold one policy (a mapping with its fields)");
                    return null;
                }
                if (!doc.path("name").isTextual() || doc.path("name").asText().isBlank()) {
                    cli.err.println("flotilla: " + file + ": the policy needs a name");
                    return null;
                }
                return (ObjectNode) doc;
            }
        }

        @Command(
                name = "pause",
                mixinStandardHelpOptions = true,
                description = "Pause updates for the policy's machines: no new lease is granted.")
        static final class Pause implements Callable<Integer> {
            @ParentCommand
            UpdatePolicy parent;

            @Parameters(paramLabel = "NAME")
            String name;

            @Option(names = "--reason", description = "Why, recorded with the pause where the service takes one.")
            String reason;

            @Override
            public Integer call() {
                Cli cli = parent.cli;
                String path = POLICIES + "/" + Api.encode(name) + "/pause";
                JsonNode p = reason == null ? cli.api().post(path) : cli.api().post(path, Map.of("reason", reason));
                if (cli.json()) {
                    cli.print(p);
                    return 0;
                }
                cli.err.println("update-policy " + name + " paused");
                if (reason != null && !field(p, "pausedReason").contains(reason)) {
                    cli.err.println(
                            "(this service records no reason of its own: it says '" + field(p, "pausedReason") + "')");
                }
                return 0;
            }
        }

        @Command(
                name = "resume",
                mixinStandardHelpOptions = true,
                description = "Resume updates; in safe mode one machine goes first again.")
        static final class Resume implements Callable<Integer> {
            @ParentCommand
            UpdatePolicy parent;

            @Parameters(paramLabel = "NAME")
            String name;

            @Override
            public Integer call() {
                Cli cli = parent.cli;
                JsonNode p = cli.api().post(POLICIES + "/" + Api.encode(name) + "/resume");
                if (cli.json()) {
                    cli.print(p);
                } else {
                    cli.err.println("update-policy " + name + " resumed");
                }
                return 0;
            }
        }

        @Command(
                name = "delete",
                mixinStandardHelpOptions = true,
                description = "Delete an update policy (refused while it has live leases).")
        static final class Delete implements Callable<Integer> {
            @ParentCommand
            UpdatePolicy parent;

            @Parameters(paramLabel = "NAME")
            String name;

            @Option(
                    names = {"-y", "--yes"},
                    description = "Do not ask for confirmation.")
            boolean yes;

            @Override
            public Integer call() {
                Cli cli = parent.cli;
                Api api = cli.api();
                String path = POLICIES + "/" + Api.encode(name);
                api.get(path); // an unknown name is 3 before any question
                if (!yes) {
                    Integer refused = MoreCommands.ask(
                            cli,
                            "update-policy delete",
                            "Delete update policy " + name + " (its machines follow another policy, or none)?",
                            "Nothing deleted.");
                    if (refused != null) {
                        return refused;
                    }
                }
                api.delete(path);
                cli.err.println("update-policy " + name + " deleted");
                return 0;
            }
        }
    }

    @Command(
            name = "lease",
            mixinStandardHelpOptions = true,
            description = "The update leases: which machines may update (and reboot) now; release one by hand.",
            subcommands = {Lease.ListLeases.class, Lease.Release.class})
    static final class Lease implements Callable<Integer> {
        @ParentCommand
        Cli cli;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().usage(cli.out);
            return 0;
        }

        /**
         * The leases of one policy, or of every policy (and of {@code default}, the machines no policy
         * takes); live ones only unless {@code ended}.
         */
        static List<JsonNode> leases(Api api, String policy, boolean ended) {
            Set<String> names = new LinkedHashSet<>();
            if (policy != null) {
                names.add(policy);
            } else {
                Cli.all(api, POLICIES).forEach(p -> names.add(p.path("name").asText()));
                names.add("default");
            }
            List<JsonNode> found = new ArrayList<>();
            for (String name : names) {
                for (JsonNode l : Cli.all(api, POLICIES + "/" + Api.encode(name) + "/leases")) {
                    if (ended || live(l)) {
                        found.add(l);
                    }
                }
            }
            return found;
        }

        static boolean live(JsonNode lease) {
            return lease.path("outcome").isNull() || lease.path("outcome").isMissingNode();
        }

        @Command(
                name = "list",
                mixinStandardHelpOptions = true,
                description = "The live leases of every policy, or of one (--policy); --all adds the ended ones.")
        static final class ListLeases implements Callable<Integer> {
            @ParentCommand
            Lease parent;

            @Option(names = "--policy", paramLabel = "NAME", description = "Only this policy's leases.")
            String policy;

            @Option(names = "--all", description = "Ended leases too (a policy's timeline, newest first).")
            boolean all;

            @Override
            public Integer call() {
                Cli cli = parent.cli;
                List<JsonNode> leases = leases(cli.api(), policy, all);
                if (cli.json()) {
                    cli.print(Api.JSON.valueToTree(leases));
                    return 0;
                }
                List<List<String>> rows = new ArrayList<>();
                for (JsonNode l : leases) {
                    String id = field(l, "id");
                    String holder = field(l, "holder");
                    rows.add(List.of(
                            cli.wide() ? id : id.substring(0, Math.min(8, id.length())),
                            field(l, "policy"),
                            cli.wide() || holder.length() <= 12 ? holder : holder.substring(0, 8) + "...",
                            field(l, "kind"),
                            field(l, "grantedAt"),
                            field(l, "expiresAt"),
                            live(l) ? "live" : field(l, "outcome")));
                }
                cli.table(List.of("LEASE", "POLICY", "HOLDER", "KIND", "GRANTED", "EXPIRES", "OUTCOME"), rows);
                return 0;
            }
        }

        @Command(
                name = "release",
                mixinStandardHelpOptions = true,
                description = "Release a live lease by hand (recorded with who did it); the machine may ask again.")
        static final class Release implements Callable<Integer> {
            @ParentCommand
            Lease parent;

            @Parameters(paramLabel = "LEASE", description = "Its id, or a unique start of it among the live leases.")
            String id;

            @Override
            public Integer call() {
                Cli cli = parent.cli;
                Api api = cli.api();
                String whole = id;
                if (!id.matches("[0-9a-fA-F-]{36}")) {
                    List<String> matches = new ArrayList<>();
                    for (JsonNode l : leases(api, null, false)) {
                        if (field(l, "id").startsWith(id)) {
                            matches.add(field(l, "id"));
                        }
                    }
                    if (matches.isEmpty()) {
                        throw new Api.Failure(404, "no live lease has an id starting with '" + id + "'");
                    }
                    if (matches.size() > 1) {
                        throw new Api.Failure(
                                400, "'" + id + "' starts " + matches.size() + " lease ids: give more of it");
                    }
                    whole = matches.get(0);
                }
                JsonNode l = api.post("/api/v1/update-leases/" + Api.encode(whole) + "/release");
                if (cli.json()) {
                    cli.print(l);
                } else {
                    cli.err.println("Released lease " + whole + " of " + field(l, "holder"));
                }
                return 0;
            }
        }
    }

    /** Whether GET {@code path} finds something (404: no). */
    static boolean exists(Api api, String path) {
        try {
            api.get(path);
            return true;
        } catch (Api.Failure f) {
            if (f.status == 404) {
                return false;
            }
            throw f;
        }
    }

    /** A field as text; blank when missing or null. */
    static String field(JsonNode n, String name) {
        JsonNode v = n.path(name);
        return v.isMissingNode() || v.isNull() ? "" : v.asText();
    }
}
