package dev.flotilla.cli;

import java.io.Console;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** The commands beyond fleetctl's: machines, enrollment tokens, the audit log, completion. */
final class MoreCommands {
    private MoreCommands() {}

    /**
     * A machine named by its whole id, a unique start of it, or its host name (as kubectl and nomad
     * take prefixes); an ambiguous or unknown name is refused, listing the candidates.
     */
    static String machine(Api api, String name) {
        if (name.matches("[0-9a-f]{32}")) {
            return name;
        }
        List<JsonNode> found = Cli.all(api, "/api/v1/machines?q=" + Api.encode(name));
        List<String> exact = new ArrayList<>();
        List<String> prefix = new ArrayList<>();
        for (JsonNode m : found) {
            String id = m.path("id").asText();
            if (m.path("hostname").asText().equals(name)) {
                exact.add(id);
            } else if (id.startsWith(name)) {
                prefix.add(id);
            }
        }
        List<String> matches = exact.isEmpty() ? prefix : exact;
        if (matches.size() == 1) {
            return matches.get(0);
        }
        if (matches.isEmpty()) {
            throw new Api.Failure(404, "no machine has the id prefix or host name '" + name + "'");
        }
        throw new Api.Failure(
                400,
                "'" + name + "' names " + matches.size() + " machines ("
                        + String.join(", ", matches.subList(0, Math.min(5, matches.size())))
                        + (matches.size() > 5 ? ", ..." : "") + "): give more of the id");
    }

    /**
     * Asks on a terminal before a destructive command: null when the answer is yes, else the exit
     * code (2 when there is no terminal to ask: a script must say --yes; 0 when the answer is no).
     */
    static Integer ask(Cli cli, String command, String question, String declined) {
        Console console = System.console();
        if (!cli.interactive || console == null) {
            cli.err.println("flotilla: " + command + " needs --yes when not run from a terminal");
            return 2;
        }
        String answer = console.readLine("%s [y/N] ", question);
        if (answer != null && answer.strip().equalsIgnoreCase("y")) {
            return null;
        }
        cli.err.println(declined);
        return 0;
    }

    @Command(
            name = "label",
            mixinStandardHelpOptions = true,
            description = "Set labels on a machine (KEY=VALUE), or remove them (KEY-), as kubectl label does.")
    static final class Label implements Callable<Integer> {
        @ParentCommand
        Cli cli;

        @Parameters(
                index = "0",
                paramLabel = "MACHINE",
                description = "Its id, a unique start of it, or its host name.")
        String machine;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "KEY=VALUE|KEY-")
        List<String> changes;

        @Override
        public Integer call() {
            Map<String, String> body = new LinkedHashMap<>();
            for (String c : changes) {
                if (c.endsWith("-") && !c.contains("=")) {
                    body.put(c.substring(0, c.length() - 1), null);
                } else if (c.indexOf('=') > 0) {
                    body.put(c.substring(0, c.indexOf('=')), c.substring(c.indexOf('=') + 1));
                } else {
                    cli.err.println("flotilla: '" + c + "' is neither KEY=VALUE nor KEY-");
                    return 2;
                }
            }
            Api api = cli.api();
            String id = machine(api, machine);
            JsonNode m = api.patch("/api/v1/machines/" + id + "/labels", body);
            if (cli.json()) {
                cli.print(m);
            } else {
                cli.err.println("Machine " + id + " labelled: " + m.path("labels"));
            }
            return 0;
        }
    }

    @Command(
            name = "unlabel",
            mixinStandardHelpOptions = true,
            description = "Remove labels set through the API from a machine (the same as label MACHINE KEY-...).")
    static final class Unlabel implements Callable<Integer> {
        @ParentCommand
        Cli cli;

        @Parameters(
                index = "0",
                paramLabel = "MACHINE",
                description = "Its id, a unique start of it, or its host name.")
        String machine;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "KEY")
        List<String> keys;

        @Override
        public Integer call() {
            Map<String, String> body = new LinkedHashMap<>();
            for (String k : keys) {
                if (k.isEmpty() || k.contains("=")) {
                    cli.err.println("flotilla: '" + k + "' is not a label key");
                    return 2;
                }
                body.put(k.endsWith("-") ? k.substring(0, k.length() - 1) : k, null);
            }
            Api api = cli.api();
            String id = machine(api, machine);
            JsonNode m = api.patch("/api/v1/machines/" + id + "/labels", body);
            if (cli.json()) {
                cli.print(m);
            } else {
                cli.err.println("Machine " + id + " unlabelled: " + m.path("labels"));
            }
            return 0;
        }
    }

    @Command(
            name = "remove-machine",
            aliases = "remove",
            mixinStandardHelpOptions = true,
            description = "Remove a machine from the fleet: its credential stops working at once.")
    static final class RemoveMachine implements Callable<Integer> {
        @ParentCommand
        Cli cli;

        @Parameters(paramLabel = "MACHINE", description = "Its id, a unique start of it, or its host name.")
        String machine;

        @Option(
                names = {"-y", "--yes"},
                description = "Do not ask for confirmation.")
        boolean yes;

        @Override
        public Integer call() {
            Api api = cli.api();
            String id = machine(api, machine);
            if (!yes) {
                Integer refused = ask(
                        cli,
                        "remove-machine",
                        "Remove machine " + id + " (its agent is refused from now on)?",
                        "Nothing removed.");
                if (refused != null) {
                    return refused;
                }
            }
            api.delete("/api/v1/machines/" + id);
            cli.err.println("Removed machine " + id);
            return 0;
        }
    }

    @Command(
            name = "enrollment-token",
            mixinStandardHelpOptions = true,
            description = "List, create and revoke enrollment tokens (install-agent also prints install commands).",
            subcommands = {EnrollmentToken.ListTokens.class, EnrollmentToken.Create.class, EnrollmentToken.Revoke.class
            })
    static final class EnrollmentToken implements Callable<Integer> {
        @ParentCommand
        Cli cli;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().usage(cli.out);
            return 0;
        }

        @Command(name = "list", mixinStandardHelpOptions = true, description = "List the organization's tokens.")
        static final class ListTokens implements Callable<Integer> {
            @ParentCommand
            EnrollmentToken parent;

            @Override
            public Integer call() {
                Cli cli = parent.cli;
                JsonNode tokens = cli.api().get("/api/v1/enrollment-tokens");
                if (cli.json()) {
                    cli.print(tokens);
                    return 0;
                }
                List<List<String>> rows = new ArrayList<>();
                for (JsonNode t : tokens) {
                    rows.add(List.of(
                            Cli.text(t.path("id")),
                            Cli.text(t.path("name")),
                            Cli.text(t.path("state")),
                            Cli.text(t.path("uses")) + "/" + Cli.text(t.path("maxUses")),
                            Cli.text(t.path("expiresAt"))));
                }
                cli.table(List.of("ID", "NAME", "STATE", "USES", "EXPIRES"), rows);
                return 0;
            }
        }

        @Command(
                name = "create",
                mixinStandardHelpOptions = true,
                description = "Create a token; its secret is printed this once.")
        static final class Create implements Callable<Integer> {
            @ParentCommand
            EnrollmentToken parent;

            @Parameters(paramLabel = "NAME")
            String name;

            @Option(
                    names = "--uses",
                    defaultValue = "1",
                    description = "How many hosts may enroll with it (default 1).")
            int uses;

            @Option(
                    names = "--ttl",
                    defaultValue = "P1D",
                    description = "How long it is valid, ISO-8601 (default P1D).")
            String ttl;

            @Override
            public Integer call() {
                Cli cli = parent.cli;
                JsonNode created =
                        cli.api().post("/api/v1/enrollment-tokens", Map.of("name", name, "maxUses", uses, "ttl", ttl));
                if (cli.json()) {
                    cli.print(created);
                } else {
                    cli.out.println(created.path("secret").asText());
                    cli.err.println("Enrollment token " + name + " ("
                            + created.path("token").path("id").asText() + "): shown this once.");
                }
                return 0;
            }
        }

        @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a token by its id.")
        static final class Revoke implements Callable<Integer> {
            @ParentCommand
            EnrollmentToken parent;

            @Parameters(paramLabel = "ID")
            String id;

            @Override
            public Integer call() {
                Cli cli = parent.cli;
                if (!id.matches("[0-9a-fA-F-]{36}")) {
                    cli.err.println("flotilla: '" + id + "' is not a token id (see enrollment-token list)");
                    return 2;
                }
                cli.api().delete("/api/v1/enrollment-tokens/" + id);
                cli.err.println("Revoked " + id);
                return 0;
            }
        }
    }

    @Command(
            name = "audit",
            mixinStandardHelpOptions = true,
            description = "The organization's audit log, newest first.")
    static final class Audit implements Callable<Integer> {
        @ParentCommand
        Cli cli;

        @Option(names = "--limit", defaultValue = "50", description = "How many entries (1 to 500, default 50).")
        int limit;

        @Option(names = "--action", description = "Only this action, e.g. unit.put or machine.remove.")
        String action;

        @Override
        public Integer call() {
            if (limit < 1 || limit > 500) {
                cli.err.println("flotilla: --limit must be 1 to 500");
                return 2;
            }
            JsonNode page = cli.api()
                    .get("/api/v1/audit?limit=" + limit + (action == null ? "" : "&action=" + Api.encode(action)));
            if (cli.json()) {
                cli.print(page.path("items"));
                return 0;
            }
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode e : page.path("items")) {
                rows.add(List.of(
                        Cli.text(e.path("at")),
                        Cli.text(e.path("actor")),
                        Cli.text(e.path("action")),
                        Cli.text(e.path("targetId")),
                        Cli.text(e.path("outcome"))));
            }
            cli.table(List.of("AT", "ACTOR", "ACTION", "TARGET", "OUTCOME"), rows);
            return 0;
        }
    }

    @Command(
            name = "completion",
            mixinStandardHelpOptions = true,
            description = {
                "Print a completion script: bash, zsh (which runs bash's through bashcompinit), or fish.",
                "  source <(./flotilla completion bash)",
                "  flotilla completion fish > ~/.config/fish/completions/flotilla.fish"
            })
    static final class Completion implements Callable<Integer> {
        @ParentCommand
        Cli cli;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "SHELL", description = "bash, zsh or fish.", completionCandidates = Shells.class)
        String shell;

        /** The shells, for the completion scripts themselves. */
        static final class Shells implements Iterable<String> {
            @Override
            public java.util.Iterator<String> iterator() {
                return List.of("bash", "zsh", "fish").iterator();
            }
        }

        @Override
        public Integer call() {
            switch (shell) {
                case "bash", "zsh" -> {
                    String script = AutoComplete.bash("flotilla", spec.root().commandLine());
                    if (shell.equals("zsh")) {
                        cli.out.println("autoload -U +X compinit && compinit");
                        cli.out.println("autoload -U +X bashcompinit && bashcompinit");
                    }
                    cli.out.print(script);
                }
                case "fish" -> cli.out.print(FishCompletion.script("flotilla", spec.root()));
                default -> {
                    cli.err.println("flotilla: completion is for bash, zsh or fish, not '" + shell + "'");
                    return 2;
                }
            }
            return 0;
        }
    }
}
