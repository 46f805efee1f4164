package dev.flotilla.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** login, logout and context: named services with their tokens, in the CLI's config file. */
final class ContextCommands {
    private ContextCommands() {}

    @Command(
            name = "login",
            mixinStandardHelpOptions = true,
            description = {
                "Check a token against a service and keep both as a context (the current one from now on).",
                "The token is an API token made in the dashboard (API tokens page): paste it when asked (not echoed),",
                "or give it with --token or on standard input with --token-stdin.",
                "",
                "Examples:",
                "  flotilla login https://fleet.example.com --name prod --org acme",
                "  pass show flotilla | flotilla login https://fleet.example.com --token-stdin"
            })
    static final class Login implements Callable<Integer> {
        @ParentCommand
        Cli cli;

        @Parameters(paramLabel = "URL", description = "The service, e.g. https://fleet.example.com.")
        String url;

        @Option(names = "--token-stdin", description = "Read the token from standard input (its first line).")
        boolean tokenStdin;

        @Option(
                names = "--name",
                paramLabel = "CONTEXT",
                description = "The context's name (default: the URL's host, with its port if it has one).")
        String name;

        @Option(
                names = "--ca-file",
                paramLabel = "FILE",
                description = "PEM certificates to trust for this service (a private CA) instead of the JDK's.")
        Path caFile;

        @Override
        public Integer call() throws IOException {
            URI uri;
            try {
                uri = URI.create(url.replaceAll("/+$", ""));
            } catch (IllegalArgumentException e) {
                uri = null;
            }
            if (uri == null || uri.getScheme() == null || !uri.getScheme().matches("https?") || uri.getHost() == null) {
                cli.err.println("flotilla: '" + url + "' is not an http:// or https:// URL");
                return 2;
            }
            if (cli.token != null && tokenStdin) {
                cli.err.println("flotilla: --token and --token-stdin exclude each other");
                return 2;
            }
            String contextName = name != null ? name : uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
            if (contextName.isBlank() || contextName.contains("\n")) {
                cli.err.println("flotilla: '" + contextName + "' is not a context name");
                return 2;
            }
            Path ca = caFile == null ? null : caFile.toAbsolutePath();
            if (ca != null && !Files.isReadable(ca)) {
                cli.err.println("flotilla: cannot read the CA file " + ca);
                return 2;
            }
            String token = token();
            if (token == null) {
                return 2;
            }
            // Asks what every command will ask: a refused token or an organization the token cannot
            // act in is found now, not at the first real command.
            Api api = new Api(uri.toString(), token, cli.org, ca);
            try {
                api.get("/api/v1/machines?limit=1");
                if (cli.org != null && token.startsWith("flt_")) {
                    Cli.checkTokenOrg(api, cli.org);
                }
            } catch (Api.Failure f) {
                if (f.status == 401) {
                    throw new Api.Failure(401, "the service refused the token (" + f.getMessage() + "); nothing saved");
                }
                throw new Api.Failure(f.status, f.getMessage() + "; nothing saved");
            }
            Config config = cli.config();
            Config.Contexts all = config.read();
            all = all.with(new Config.Context(
                            contextName, uri.toString(), cli.org, token, ca == null ? null : ca.toString()))
                    .using(contextName);
            config.write(all);
            cli.err.println("Logged in to " + uri + (cli.org == null ? "" : " (organization " + cli.org + ")")
                    + " as context " + contextName + ", now the current context (" + config.file + ")");
            return 0;
        }

        /** --token, else standard input with --token-stdin, else asked on the terminal; null when none. */
        private String token() throws IOException {
            if (cli.token != null) {
                return cli.token.strip();
            }
            if (tokenStdin) {
                String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                if (line == null || line.isBlank()) {
                    cli.err.println("flotilla: no token on standard input");
                    return null;
                }
                return line.strip();
            }
            Console console = System.console();
            if (!cli.interactive || console == null) {
                cli.err.println("flotilla: login needs --token or --token-stdin when not run from a terminal");
                return null;
            }
            char[] typed = console.readPassword("API token for %s (made in the dashboard; not shown): ", url);
            if (typed == null || new String(typed).isBlank()) {
                cli.err.println("flotilla: no token given; nothing saved");
                return null;
            }
            return new String(typed).strip();
        }
    }

    @Command(
            name = "logout",
            mixinStandardHelpOptions = true,
            description = "Forget a context's token (the context stays, for the next login); default: the current one.")
    static final class Logout implements Callable<Integer> {
        @ParentCommand
        Cli cli;

        @Parameters(arity = "0..1", paramLabel = "CONTEXT")
        String name;

        @Override
        public Integer call() {
            Config config = cli.config();
            Config.Contexts all = config.read();
            String which = Cli.first(name, cli.context, cli.env.get("FLOTILLA_CONTEXT"), all.current());
            if (which == null) {
                cli.err.println("flotilla: no current context to log out of (see flotilla context list)");
                return Cli.NOT_FOUND;
            }
            Config.Context c = all.find(which).orElse(null);
            if (c == null) {
                cli.err.println("flotilla: no context '" + which + "' (see flotilla context list)");
                return Cli.NOT_FOUND;
            }
            config.write(all.with(c.withToken(null)));
            cli.err.println("Logged out of " + which + " (" + c.url() + "): its token is forgotten here; revoke it in"
                    + " the dashboard if it should stop working everywhere");
            return 0;
        }
    }

    @Command(
            name = "context",
            mixinStandardHelpOptions = true,
            description = "List the contexts of `flotilla login`, choose the current one, delete one.",
            subcommands = {ContextCommand.ListContexts.class, ContextCommand.Use.class, ContextCommand.Delete.class})
    static final class ContextCommand implements Callable<Integer> {
        @ParentCommand
        Cli cli;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().usage(cli.out);
            return 0;
        }

        @Command(
                name = "list",
                mixinStandardHelpOptions = true,
                description = "The contexts; * marks the current one. Tokens are never shown.")
        static final class ListContexts implements Callable<Integer> {
            @ParentCommand
            ContextCommand parent;

            @Override
            public Integer call() {
                Cli cli = parent.cli;
                Config.Contexts all = cli.config().read();
                if (cli.json()) {
                    List<Map<String, Object>> shown = new ArrayList<>();
                    for (Config.Context c : all.contexts()) {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("name", c.name());
                        m.put("current", c.name().equals(all.current()));
                        m.put("url", c.url());
                        m.put("org", c.org());
                        m.put("caFile", c.caFile());
                        m.put("loggedIn", c.token() != null);
                        shown.add(m);
                    }
                    cli.print(Api.JSON.valueToTree(shown));
                    return 0;
                }
                List<List<String>> rows = new ArrayList<>();
                for (Config.Context c : all.contexts()) {
                    rows.add(List.of(
                            c.name().equals(all.current()) ? "*" : "",
                            c.name(),
                            c.url() == null ? "" : c.url(),
                            c.org() == null ? "" : c.org()));
                }
                if ("name".equals(cli.output)) {
                    rows.forEach(r -> cli.out.println(r.get(1)));
                    return 0;
                }
                cli.table(List.of("CURRENT", "NAME", "URL", "ORG"), rows);
                return 0;
            }
        }

        @Command(name = "use", mixinStandardHelpOptions = true, description = "Make a context the current one.")
        static final class Use implements Callable<Integer> {
            @ParentCommand
            ContextCommand parent;

            @Parameters(paramLabel = "CONTEXT")
            String name;

            @Override
            public Integer call() {
                Cli cli = parent.cli;
                Config config = cli.config();
                Config.Contexts all = config.read();
                if (all.find(name).isEmpty()) {
                    cli.err.println("flotilla: no context '" + name + "' (see flotilla context list)");
                    return Cli.NOT_FOUND;
                }
                config.write(all.using(name));
                cli.err.println("Switched to context " + name + " ("
                        + all.find(name).get().url() + ")");
                return 0;
            }
        }

        @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a context and its token.")
        static final class Delete implements Callable<Integer> {
            @ParentCommand
            ContextCommand parent;

            @Parameters(paramLabel = "CONTEXT")
            String name;

            @Override
            public Integer call() {
                Cli cli = parent.cli;
                Config config = cli.config();
                Config.Contexts all = config.read();
                if (all.find(name).isEmpty()) {
                    cli.err.println("flotilla: no context '" + name + "' (see flotilla context list)");
                    return Cli.NOT_FOUND;
                }
                config.write(all.without(name));
                cli.err.println("Deleted context " + name
                        + (name.equals(all.current()) ? "; there is no current context now" : ""));
                return 0;
            }
        }
    }
}
