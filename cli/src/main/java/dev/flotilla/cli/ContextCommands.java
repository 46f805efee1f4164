package dev.flotilla.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;

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
                "Sign in to a service and keep it as a context (the current one from now on).",
                "When the service signs people in through Keycloak, this opens a device sign-in (OAuth 2.0 device",
                "authorization grant): open the address it prints, in any browser, and sign in there; the access",
                "token is renewed by itself until the Keycloak session ends.",
                "Otherwise (or with --token or --token-stdin) it takes an API token made in the dashboard (API tokens",
                "page): pasted when asked (not echoed), given with --token, or on standard input with --token-stdin.",
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

        @Option(
                names = "--timeout",
                paramLabel = "SECONDS",
                description = "With Keycloak: stop waiting for the sign-in after this many seconds (exit 4; default:"
                        + " until Keycloak's code expires, usually 10 minutes).")
        Integer timeout;

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
            if (timeout != null && timeout < 1) {
                cli.err.println("flotilla: --timeout must be at least 1 second");
                return 2;
            }
            if (cli.token == null && !tokenStdin) {
                JsonNode signIn = signIn(uri, ca);
                if ("oidc".equals(signIn.path("mode").asText())) {
                    return keycloak(uri, contextName, ca, signIn);
                }
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
            save(Config.Context.withToken(
                    contextName, uri.toString(), cli.org, token, ca == null ? null : ca.toString()));
            cli.err.println("Logged in to " + uri + (cli.org == null ? "" : " (organization " + cli.org + ")")
                    + " as context " + contextName + ", now the current context (" + cli.config().file + ")");
            return 0;
        }

        private void save(Config.Context context) {
            Config config = cli.config();
            config.write(config.read().with(context).using(context.name()));
        }

        /** How the service signs people in ({@code GET /api/v1/sign-in}); a service without it has local accounts. */
        private JsonNode signIn(URI uri, Path ca) {
            try {
                return Api.anonymous(uri.toString(), ca).get("/api/v1/sign-in");
            } catch (Api.Failure f) {
                if (f.status == 404) {
                    return Api.JSON.createObjectNode().put("mode", "local");
                }
                throw new Api.Failure(f.status, f.getMessage() + "; nothing saved");
            }
        }

        /**
         * The device sign-in through the service's Keycloak; then the access token is checked as every
         * command will use it (a person need not be in any organization yet; with --org, they must be
         * in that one), and saved with its refresh token.
         */
        private int keycloak(URI uri, String contextName, Path ca, JsonNode signIn) {
            String issuer = signIn.path("issuer").asText(null);
            String client = signIn.path("cliClientId").asText(null);
            if (issuer == null || client == null) {
                throw new Api.Failure(
                        500,
                        "the service signs people in through Keycloak but names no realm or CLI client; nothing saved");
            }
            KeycloakSignIn.Tokens tokens = new KeycloakSignIn(issuer, client, ca)
                    .signIn(cli.err, timeout == null ? null : Duration.ofSeconds(timeout));
            List<String> slugs = new ArrayList<>();
            try {
                for (JsonNode o : new Api(uri.toString(), tokens.access(), null, ca).get("/api/v1/orgs")) {
                    slugs.add(o.path("slug").asText());
                    if (o.path("id").asText().equals(cli.org)) {
                        slugs.add(cli.org);
                    }
                }
            } catch (Api.Failure f) {
                throw new Api.Failure(
                        f.status, "the service refused the Keycloak sign-in (" + f.getMessage() + "); nothing saved");
            }
            if (cli.org != null && !slugs.contains(cli.org)) {
                throw new Api.Failure(
                        403,
                        "you are not a member of organization '" + cli.org + "'"
                                + (slugs.isEmpty() ? " (nor of any yet)" : " (yours: " + String.join(", ", slugs) + ")")
                                + "; nothing saved");
            }
            save(Config.Context.withToken(contextName, uri.toString(), cli.org, null, ca == null ? null : ca.toString())
                    .signedIn(issuer, client, tokens));
            String who = subject(tokens.access());
            cli.err.println("Signed in to " + uri + " through Keycloak" + (who == null ? "" : " as " + who)
                    + (cli.org == null ? "" : " (organization " + cli.org + ")") + ", context " + contextName
                    + ", now the current context (" + cli.config().file + ")");
            if (slugs.isEmpty()) {
                cli.err.println(
                        "You are in no organization yet: create one in the dashboard, or accept an invitation.");
            }
            return 0;
        }

        /** The person's user name from the access token (a JWT), to say who signed in; null if it has none. */
        private static String subject(String jwt) {
            String[] parts = jwt.split("\\.");
            if (parts.length < 2) {
                return null;
            }
            try {
                JsonNode claims =
                        Api.JSON.readTree(java.util.Base64.getUrlDecoder().decode(parts[1]));
                return claims.path("preferred_username").asText(null);
            } catch (IOException | IllegalArgumentException e) {
                return null;
            }
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
            config.write(all.with(c.loggedOut()));
            if (c.oidc() && c.refreshToken() != null) {
                // The Keycloak session ends too, so a copy of the refresh token is worth nothing.
                boolean ended = new KeycloakSignIn(
                                c.issuer(), c.clientId(), c.caFile() == null ? null : Path.of(c.caFile()))
                        .revoke(c.refreshToken());
                cli.err.println("Logged out of " + which + " (" + c.url() + "): its tokens are forgotten here"
                        + (ended
                                ? " and its Keycloak sign-in has ended"
                                : "; Keycloak could not be told (its sign-in" + " ends by itself when idle)"));
                return 0;
            }
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
                description = "The contexts; * marks the current one; KIND: token (pasted) or oidc (Keycloak sign-in)."
                        + " Tokens are never shown.")
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
                        m.put("kind", c.kind());
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
                            c.org() == null ? "" : c.org(),
                            c.kind() == null ? "(logged out)" : c.kind()));
                }
                if ("name".equals(cli.output)) {
                    rows.forEach(r -> cli.out.println(r.get(1)));
                    return 0;
                }
                cli.table(List.of("CURRENT", "NAME", "URL", "ORG", "KIND"), rows);
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
