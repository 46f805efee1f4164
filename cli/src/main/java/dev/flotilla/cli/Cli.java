package dev.flotilla.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;

import dev.flotilla.api.unit.FleetRequirements;
import dev.flotilla.api.unit.UnitFile;
import dev.flotilla.api.unit.UnitNames;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code flotilla}: fleetctl's commands over Flotilla's REST API, with an API token.
 *
 * <p>Exit codes: 0 done; 1 the service refused or failed (its reason is printed); 2 bad usage;
 * 3 no such unit or machine; 4 {@code start --wait} timed out; 5 the service cannot be reached or
 * is not configured.
 */
@Command(
        name = "flotilla",
        mixinStandardHelpOptions = true,
        version = "flotilla 0.1",
        description = "Manage a Flotilla fleet: machines, and units as fleet knew them.",
        footer = {
            "",
            "Where and as whom: --url, --token, --org (command line) before FLOTILLA_URL, FLOTILLA_TOKEN,",
            "FLOTILLA_ORG (environment) before the context (--context, FLOTILLA_CONTEXT, else the current one",
            "of `flotilla login`, kept in $XDG_CONFIG_HOME/flotilla/config). NO_COLOR: no colour.",
            "Exit codes: 0 done, 1 refused by the service, 2 bad usage, 3 not found, 4 timed out, 5 unreachable."
        },
        subcommands = {
            Cli.ListMachines.class,
            Cli.ListUnits.class,
            Cli.ListUnitFiles.class,
            Cli.Submit.class,
            Cli.Load.class,
            Cli.Start.class,
            Cli.Stop.class,
            Cli.Unload.class,
            Cli.Destroy.class,
            Cli.Cat.class,
            Cli.Status.class,
            Cli.Journal.class,
            Cli.Verify.class,
            Cli.Rollout.class,
            Declarative.Apply.class,
            Declarative.Diff.class,
            Declarative.Export.class,
            Cli.InstallAgent.class,
            MoreCommands.Label.class,
            MoreCommands.Unlabel.class,
            MoreCommands.RemoveMachine.class,
            MoreCommands.EnrollmentToken.class,
            MoreCommands.Audit.class,
            MoreCommands.Completion.class,
            UpdateCommands.UpdatePolicy.class,
            UpdateCommands.Lease.class,
            ContextCommands.Login.class,
            ContextCommands.Logout.class,
            ContextCommands.ContextCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Cli implements Callable<Integer> {
    static final int REFUSED = 1;
    static final int NOT_FOUND = 3;
    static final int TIMED_OUT = 4;
    static final int UNREACHABLE = 5;

    // Global options: accepted before or after the command's name (picocli's inherited scope).
    @Option(
            names = "--url",
            scope = CommandLine.ScopeType.INHERIT,
            description = "The service (default: $FLOTILLA_URL).")
    String url;

    @Option(
            names = "--token",
            scope = CommandLine.ScopeType.INHERIT,
            description = "An API token (default: $FLOTILLA_TOKEN).")
    String token;

    @Option(
            names = "--org",
            scope = CommandLine.ScopeType.INHERIT,
            paramLabel = "SLUG",
            description = "The organization to act in, slug or id, sent as the Flotilla-Org header"
                    + " (default: $FLOTILLA_ORG, else the context's).")
    String org;

    @Option(
            names = "--context",
            scope = CommandLine.ScopeType.INHERIT,
            paramLabel = "NAME",
            description = "A context of `flotilla login` (default: $FLOTILLA_CONTEXT, else the current one).")
    String context;

    String output = "table";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(
            names = {"-o", "--output"},
            scope = CommandLine.ScopeType.INHERIT,
            paramLabel = "FORMAT",
            completionCandidates = Formats.class,
            description = "table (default), wide (whole ids), json, yaml, or name (the first column only).")
    void output(String value) {
        if (!FORMATS.contains(value)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "-o must be one of " + String.join(", ", FORMATS) + ", not '" + value + "'");
        }
        output = value;
    }

    static final List<String> FORMATS = List.of("table", "wide", "json", "yaml", "name");

    /** -o's values, for the completion scripts. */
    static final class Formats implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return FORMATS.iterator();
        }
    }

    @Option(
            names = "--no-headers",
            scope = CommandLine.ScopeType.INHERIT,
            description = "Tables without their header line (for scripts reading columns).")
    boolean noHeaders;

    Map<String, String> env = System.getenv();
    PrintWriter out;
    PrintWriter err;
    boolean interactive = System.console() != null;

    public static void main(String[] args) {
        System.exit(
                execute(args, System.getenv(), new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one command line; returns its exit code. */
    public static int execute(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
        Cli cli = new Cli();
        cli.env = env;
        cli.out = out;
        cli.err = err;
        CommandLine cmd = new CommandLine(cli);
        cmd.setColorScheme(CommandLine.Help.defaultColorScheme(
                cli.colour() ? CommandLine.Help.Ansi.ON : CommandLine.Help.Ansi.OFF));
        cmd.setOut(out);
        cmd.setErr(err);
        cmd.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof Api.Failure f) {
                err.println("flotilla: " + f.getMessage());
                err.flush();
                return f.status == 0
                        ? UNREACHABLE
                        : f.status == 404 ? NOT_FOUND : f.status == Api.Failure.TIMED_OUT ? TIMED_OUT : REFUSED;
            }
            throw e;
        });
        int code = cmd.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    @Override
    public Integer call() {
        new CommandLine(this).usage(out);
        return 0;
    }

    /**
     * The service, token and organization to use: each from the command line, else the environment,
     * else the context. A context's token (and org and CA file) is used only with the context's own
     * URL, so that FLOTILLA_URL or --url pointing elsewhere never receives it.
     */
    Api api() {
        Config.Context ctx = selectedContext();
        String u = first(url, env.get("FLOTILLA_URL"), ctx == null ? null : ctx.url());
        boolean same = ctx != null && u != null && sameService(u, ctx.url());
        String ca = first(env.get("FLOTILLA_CA_FILE"), same ? ctx.caFile() : null);
        String given = first(token, env.get("FLOTILLA_TOKEN"));
        if (given == null && same && ctx.oidc() && ctx.token() != null) {
            ctx = fresh(ctx, ca == null ? null : Path.of(ca));
        }
        String t = first(given, same ? ctx.token() : null);
        String o = first(org, env.get("FLOTILLA_ORG"), same ? ctx.org() : null);
        if (t == null && same && u != null) {
            throw new Api.Failure(0, "context " + ctx.name() + " has no token (logged out): run flotilla login " + u);
        }
        Api api = new Api(u, t, o, ca == null ? null : Path.of(ca));
        if (o != null && t != null && t.startsWith("flt_")) {
            checkTokenOrg(api, o);
        }
        return api;
    }

    /**
     * An API token belongs to one organization and the service ignores the Flotilla-Org header for
     * it; naming another organization must not silently act in the token's own, so it is refused.
     */
    static void checkTokenOrg(Api api, String wanted) {
        JsonNode orgs = api.get("/api/v1/orgs");
        List<String> names = new ArrayList<>();
        for (JsonNode o : orgs) {
            if (wanted.equals(o.path("slug").asText())
                    || wanted.equals(o.path("id").asText())) {
                return;
            }
            names.add(o.path("slug").asText());
        }
        throw new Api.Failure(
                403,
                "the API token belongs to organization " + String.join(", ", names) + ", not to '" + wanted
                        + "' (an API token acts in its own organization only)");
    }

    /** How long before its expiry a Keycloak access token is renewed: a command must not start with one about to lapse. */
    static final Duration REFRESH_AHEAD = Duration.ofSeconds(30);

    /**
     * A context signed in through Keycloak, with an access token good for at least {@link
     * #REFRESH_AHEAD}: renewed with the refresh token when needed, and the new tokens saved (only
     * this context changes in the file). A refused refresh asks for a new login (exit 1).
     */
    Config.Context fresh(Config.Context ctx, Path caFile) {
        Instant expires;
        try {
            expires = ctx.tokenExpires() == null ? Instant.EPOCH : Instant.parse(ctx.tokenExpires());
        } catch (java.time.format.DateTimeParseException e) {
            expires = Instant.EPOCH;
        }
        if (Instant.now().plus(REFRESH_AHEAD).isBefore(expires)) {
            return ctx;
        }
        if (ctx.refreshToken() == null || ctx.clientId() == null) {
            throw new Api.Failure(
                    401,
                    "the sign-in of context " + ctx.name() + " has expired: run flotilla login " + ctx.url()
                            + " again");
        }
        KeycloakSignIn.Tokens tokens = new KeycloakSignIn(ctx.issuer(), ctx.clientId(), caFile)
                .refresh(ctx.refreshToken(), ctx.name(), ctx.url());
        Config.Context renewed = ctx.signedIn(ctx.issuer(), ctx.clientId(), tokens);
        Config file = config();
        file.write(file.read().with(renewed));
        return renewed;
    }

    /** The context named by --context or FLOTILLA_CONTEXT (which must exist), else the current one, else null. */
    Config.Context selectedContext() {
        String name = first(context, env.get("FLOTILLA_CONTEXT"));
        Config.Contexts all = config().read();
        if (name != null) {
            return all.find(name)
                    .orElseThrow(() -> new Api.Failure(
                            404, "no context '" + name + "' in " + config().file + " (see flotilla context list)"));
        }
        return all.current() == null ? null : all.find(all.current()).orElse(null);
    }

    Config config() {
        return Config.of(env);
    }

    static boolean sameService(String a, String b) {
        return b != null && a.replaceAll("/+$", "").equalsIgnoreCase(b.replaceAll("/+$", ""));
    }

    static String first(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }

    /** Colour only on a terminal, and never when NO_COLOR is set (no-color.org: set and not empty). */
    boolean colour() {
        String no = env.get("NO_COLOR");
        return interactive && (no == null || no.isEmpty());
    }

    /**
     * Runs {@code frame} once, or with --watch every {@code interval} seconds until interrupted
     * (Ctrl-C). On a terminal each frame replaces the last (the screen is cleared, as watch(1)
     * does); otherwise frames follow each other, separated by an empty line, without escape codes.
     * A failure of the first frame ends the command; later ones are shown and the watch goes on.
     */
    int watch(boolean watch, int interval, Callable<Integer> frame) throws Exception {
        if (!watch) {
            return frame.call();
        }
        if (interval < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--interval must be at least 1 second");
        }
        PrintWriter real = out;
        for (int n = 0; ; n++) {
            java.io.StringWriter buffer = new java.io.StringWriter();
            out = new PrintWriter(buffer, true);
            try {
                frame.call();
            } catch (Api.Failure f) {
                if (n == 0) {
                    throw f;
                }
                out.println("flotilla: " + f.getMessage());
            } finally {
                out.flush();
                out = real;
            }
            if (interactive) {
                out.print("\033[H\033[2J");
                out.println("Every " + interval + " s, until Ctrl-C; "
                        + java.time.LocalTime.now().withNano(0));
                out.println();
            } else if (n > 0) {
                out.println();
            }
            out.print(buffer);
            out.flush();
            Thread.sleep(interval * 1000L);
        }
    }

    /** Whether the answer is printed as data (json or yaml) rather than as a table. */
    boolean json() {
        return "json".equals(output) || "yaml".equals(output);
    }

    /** Whether ids are printed whole (-o wide and -o name). */
    boolean wide() {
        return "wide".equals(output) || "name".equals(output);
    }

    void print(JsonNode node) {
        if ("yaml".equals(output)) {
            try {
                out.print(YAML.writeValueAsString(node));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        } else {
            out.println(node.toPrettyString());
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper YAML =
            new com.fasterxml.jackson.dataformat.yaml.YAMLMapper();

    /**
     * Prints rows as aligned columns under a header (none with --no-headers); -o name prints the
     * first column alone. States are coloured on a terminal (after padding, so columns stay aligned).
     */
    void table(List<String> header, List<List<String>> rows) {
        if ("name".equals(output)) {
            rows.forEach(r -> out.println(r.get(0)));
            return;
        }
        int[] width = new int[header.size()];
        for (int i = 0; i < width.length; i++) {
            width[i] = header.get(i).length();
            for (List<String> r : rows) {
                width[i] = Math.max(width[i], r.get(i).length());
            }
        }
        List<List<String>> all = new ArrayList<>();
        if (!noHeaders) {
            all.add(header);
        }
        all.addAll(rows);
        for (List<String> r : all) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < r.size(); i++) {
                String cell = i == r.size() - 1 ? r.get(i) : String.format("%-" + (width[i] + 2) + "s", r.get(i));
                sb.append(r == header ? cell : paint(cell));
            }
            out.println(sb.toString().stripTrailing());
        }
    }

    /** A state word in its colour (green good, yellow on the way or held, red bad), on a terminal only. */
    String paint(String cell) {
        if (!colour()) {
            return cell;
        }
        String code = switch (cell.strip()) {
            case "online", "active", "running", "healthy", "succeeded", "complete", "launched" -> "32";
            case "offline", "activating", "deactivating", "updating", "paused", "pending", "granted" -> "33";
            case "lost", "failed", "reverted", "timed_out", "revoked", "expired" -> "31";
            default -> null;
        };
        return code == null
                ? cell
                : "\033[" + code + "m" + cell.stripTrailing() + "\033[0m"
                        + cell.substring(cell.stripTrailing().length());
    }

    /** Every item of a paginated list. */
    static List<JsonNode> all(Api api, String path) {
        List<JsonNode> items = new ArrayList<>();
        String cursor = null;
        do {
            String sep = path.contains("?") ? "&" : "?";
            JsonNode page = api.get(path + sep + "limit=500" + (cursor == null ? "" : "&cursor=" + Api.encode(cursor)));
            page.path("items").forEach(items::add);
            cursor = page.path("nextCursor").isTextual()
                    ? page.path("nextCursor").asText()
                    : null;
        } while (cursor != null);
        return items;
    }

    /** Every machine's state of one unit, all pages of fleet's state view. */
    static List<JsonNode> states(Api api, String unit) {
        List<JsonNode> out = new ArrayList<>();
        String token = null;
        do {
            JsonNode page = api.get("/fleet/v1/state?unitName=" + Api.encode(unit)
                    + (token == null ? "" : "&nextPageToken=" + Api.encode(token)));
            page.path("states").forEach(out::add);
            token = page.path("nextPageToken").isTextual()
                    ? page.path("nextPageToken").asText()
                    : null;
        } while (token != null);
        return out;
    }

    static String text(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode() ? "-" : n.asText();
    }

    /** --watch and --interval, for the commands that show something that changes. */
    static final class WatchOptions {
        @Option(
                names = {"-w", "--watch"},
                description = "Show it again every --interval seconds until Ctrl-C (the screen is cleared"
                        + " only on a terminal).")
        boolean watch;

        @Option(
                names = "--interval",
                defaultValue = "2",
                paramLabel = "SECONDS",
                description = "Seconds between two frames of --watch (default ${DEFAULT-VALUE}).")
        int interval;
    }

    // ---------------------------------------------------------------------------------------

    @Command(name = "list-machines", mixinStandardHelpOptions = true, description = "List the machines.")
    static final class ListMachines implements Callable<Integer> {
        @ParentCommand
        Cli cli;

        @Option(
                names = {"-l", "--selector"},
                description = "Only machines whose labels match, e.g. role=web,region in (eu,us).")
        String selector;

        @Option(names = "--full", description = "Show whole machine ids.")
        boolean full;

        @CommandLine.Mixin
        WatchOptions watch;

        @Override
        public Integer call() throws Exception {
            return cli.watch(watch.watch, watch.interval, this::frame);
        }

        private Integer frame() {
            List<JsonNode> machines =
                    all(cli.api(), "/api/v1/machines" + (selector == null ? "" : "?selector=" + Api.encode(selector)));
            if (cli.json()) {
                cli.print(Api.JSON.valueToTree(machines));
                return 0;
            }
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode m : machines) {
                String id = m.path("id").asText();
                List<String> labels = new ArrayList<>();
                m.path("labels")
                        .fields()
                        .forEachRemaining(
                                e -> labels.add(e.getKey() + "=" + e.getValue().asText()));
                JsonNode addresses = m.path("facts").path("addresses");
                rows.add(List.of(
                        full || cli.wide() ? id : id.substring(0, Math.min(8, id.length())) + "...",
                        m.path("hostname").asText(),
                        addresses.isArray() && addresses.size() > 0
                                ? addresses.get(0).asText()
                                : "-",
                        m.path("presence").asText(),
                        labels.isEmpty() ? "-" : String.join(",", labels)));
            }
            cli.table(List.of("MACHINE", "HOSTNAME", "IP", "PRESENCE", "LABELS"), rows);
            return 0;
        }
    }

    @Command(
            name = "list-units",
            mixinStandardHelpOptions = true,
            description = "List each unit's state on each machine, as the agents report it.")
    static final class ListUnits implements Callable<Integer> {
        @ParentCommand
        Cli cli;

        @CommandLine.Mixin
        WatchOptions watch;

        @Override
        public Integer call() throws Exception {
            return cli.watch(watch.watch, watch.interval, this::frame);
        }

        private Integer frame() {
            Api api = cli.api();
            List<JsonNode> units = all(api, "/api/v1/units");
            List<List<String>> rows = new ArrayList<>();
            List<JsonNode> states = new ArrayList<>();
            for (JsonNode u : units) {
                for (JsonNode s : states(api, u.path("name").asText())) {
                    states.add(s);
                    rows.add(List.of(
                            s.path("name").asText(),
                            cli.wide()
                                    ? s.path("machineID").asText()
                                    : s.path("machineID").asText().substring(0, 8) + "...",
                            s.path("systemdActiveState").asText(),
                            s.path("systemdSubState").asText()));
                }
            }
            if (cli.json()) {
                cli.print(Api.JSON.valueToTree(states));
            } else {
                cli.table(List.of("UNIT", "MACHINE", "ACTIVE", "SUB"), rows);
            }
            return 0;
        }
    }

    @Command(
            name = "list-unit-files",
            mixinStandardHelpOptions = true,
            description = "List the units: target state, where they are placed and how many machines run them.")
    static final class ListUnitFiles implements Callable<Integer> {
        @ParentCommand
        Cli cli;

        @Override
        public Integer call() {
            List<JsonNode> units = all(cli.api(), "/api/v1/units");
            if (cli.json()) {
                cli.print(Api.JSON.valueToTree(units));
                return 0;
            }
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode u : units) {
                String where = u.path("global").asBoolean()
                        ? "global"
                        : u.path("machineId").isTextual()
                                ? (cli.wide()
                                        ? u.path("machineId").asText()
                                        : u.path("machineId").asText().substring(0, 8) + "...")
                                : "-";
                rows.add(List.of(
                        u.path("name").asText(),
                        u.path("hash").asText().substring(0, 7),
                        u.path("target").asText(),
                        where,
                        u.path("active").asInt() + "/" + u.path("placed").asInt(),
                        Integer.toString(u.path("failed").asInt())));
            }
            cli.table(List.of("UNIT", "HASH", "TARGET", "MACHINE", "ACTIVE", "FAILED"), rows);
            return 0;
        }
    }

    /** What submit, load and start share: unit files from disk (or names of known units). */
    abstract static class TargetCommand implements Callable<Integer> {
        @ParentCommand
        Cli cli;

        @Parameters(
                arity = "1..*",
                paramLabel = "UNIT",
                description = "Unit files (their file name is the unit name) or names of submitted units.")
        List<String> units;

        abstract String target();

        @Override
        public Integer call() throws Exception {
            Api api = cli.api();
            for (String arg : units) {
                Path file = Path.of(arg);
                String name = file.getFileName().toString();
                if (Files.isRegularFile(file)) {
                    String content = Files.readString(file, StandardCharsets.UTF_8);
                    JsonNode u = api.put(
                            "/api/v1/units/" + Api.encode(name), Map.of("content", content, "target", target()));
                    cli.err.println(
                            "Unit " + name + " " + verb() + (u.path("global").asBoolean() ? " (global)" : ""));
                } else {
                    api.patch("/api/v1/units/" + Api.encode(name), Map.of("target", target()));
                    cli.err.println("Unit " + name + " " + verb());
                }
            }
            return after(api);
        }

        String verb() {
            return switch (target()) {
                case "inactive" -> "submitted";
                case "loaded" -> "loaded";
                default -> "launched";
            };
        }

        int after(Api api) throws InterruptedException {
            return 0;
        }
    }

    @Command(
            name = "submit",
            mixinStandardHelpOptions = true,
            description = {
                "Upload unit files; they are not scheduled until loaded or started.",
                "As fleetctl: a unit that exists already is left as it is (its file and its state)."
            })
    static final class Submit extends TargetCommand {
        @Override
        String target() {
            return "inactive";
        }

        @Override
        public Integer call() throws Exception {
            Api api = cli.api();
            for (String arg : units) {
                Path file = Path.of(arg);
                String name = file.getFileName().toString();
                JsonNode existing = existing(api, name);
                if (existing != null) {
                    cli.err.println("Unit " + name + " already exists (target " + text(existing.path("target"))
                            + "); left as it is");
                } else if (Files.isRegularFile(file)) {
                    JsonNode u = api.put(
                            "/api/v1/units/" + Api.encode(name),
                            Map.of("content", Files.readString(file, StandardCharsets.UTF_8), "target", "inactive"));
                    cli.err.println(
                            "Unit " + name + " submitted" + (u.path("global").asBoolean() ? " (global)" : ""));
                } else {
                    throw new Api.Failure(404, "no unit file " + arg + " and no submitted unit " + name);
                }
            }
            return 0;
        }
    }

    /** The unit as the service has it, or null when it has none of that name. */
    static JsonNode existing(Api api, String name) {
        try {
            return api.get("/api/v1/units/" + Api.encode(name));
        } catch (Api.Failure f) {
            if (f.status == 404) {
                return null;
            }
            throw f;
        }
    }

    @Command(
            name = "load",
            mixinStandardHelpOptions = true,
            description = "Schedule units to machines and load them there, without starting them.")
    static final class Load extends TargetCommand {
        @Override
        String target() {
            return "loaded";
        }
    }

    @Command(name = "start", mixinStandardHelpOptions = true, description = "Schedule units and start them.")
    static final class Start extends TargetCommand {
        @Option(names = "--wait", description = "Wait until every machine that should run them reports them active.")
        boolean await;

        @Option(
                names = "--timeout",
                defaultValue = "120",
                description = "Seconds to wait with --wait (default ${DEFAULT-VALUE}).")
        int timeout;

        @Override
        String target() {
            return "launched";
        }

        @Override
        int after(Api api) throws InterruptedException {
            if (!await) {
                return 0;
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(timeout).toNanos();
            Map<String, String> progress = new LinkedHashMap<>();
            while (true) {
                boolean done = true;
                for (String arg : units) {
                    String name = Path.of(arg).getFileName().toString();
                    JsonNode u = api.get("/api/v1/units/" + Api.encode(name));
                    int placed = u.path("placed").asInt();
                    int active = u.path("active").asInt();
                    String line = name + ": " + active + "/" + placed + " machines active"
                            + (u.path("failed").asInt() > 0
                                    ? ", " + u.path("failed").asInt() + " failed"
                                    : "");
                    if (!line.equals(progress.put(name, line))) {
                        cli.err.println(line);
                    }
                    done &= placed > 0 && active == placed;
                }
                if (done) {
                    return 0;
                }
                if (System.nanoTime() > deadline) {
                    cli.err.println("flotilla: not every machine reports the units active after " + timeout + " s");
                    return TIMED_OUT;
                }
                Thread.sleep(500);
            }
        }
    }

    /** stop and unload: names of submitted units. */
    abstract static class NameTargetCommand implements Callable<Integer> {
        @ParentCommand
        Cli cli;

        @Parameters(arity = "1..*", paramLabel = "UNIT", description = "Names of submitted units.")
        List<String> units;

        abstract String target();

        @Override
        public Integer call() {
            Api api = cli.api();
            int code = 0;
            for (String name : units) {
                if (target().equals("loaded")) {
                    // As fleetctl: stopping a unit that was only submitted would schedule it.
                    JsonNode u = api.get("/api/v1/units/" + Api.encode(name));
                    if ("inactive".equals(u.path("target").asText())) {
                        cli.err.println("flotilla: unable to stop unit " + name + " in state inactive");
                        code = REFUSED;
                        continue;
                    }
                }
                api.patch("/api/v1/units/" + Api.encode(name), Map.of("target", target()));
                cli.err.println("Unit " + name + (target().equals("loaded") ? " stopped" : " unloaded"));
            }
            return code;
        }
    }

    @Command(
            name = "stop",
            mixinStandardHelpOptions = true,
            description = "Stop units; they stay loaded where they are.")
    static final class Stop extends NameTargetCommand {
        @Override
        String target() {
            return "loaded";
        }
    }

    @Command(name = "unload", mixinStandardHelpOptions = true, description = "Stop units and unschedule them.")
    static final class Unload extends NameTargetCommand {
        @Override
        String target() {
            return "inactive";
        }
    }

    @Command(
            name = "destroy",
            mixinStandardHelpOptions = true,
            description = "Stop units and remove them from every machine and from Flotilla.")
    static final class Destroy implements Callable<Integer> {
        @ParentCommand
        Cli cli;

        @Parameters(arity = "1..*", paramLabel = "UNIT", description = "Names of submitted units.")
        List<String> units;

        @Option(
                names = {"-y", "--yes"},
                description = "Do not ask for confirmation.")
        boolean yes;

        @Override
        public Integer call() {
            if (!yes) {
                Integer refused = MoreCommands.ask(
                        cli,
                        "destroy",
                        "Destroy " + String.join(", ", units) + " (stopped and removed everywhere)?",
                        "Nothing destroyed.");
                if (refused != null) {
                    return refused;
                }
            }
            Api api = cli.api();
            for (String name : units) {
                api.delete("/api/v1/units/" + Api.encode(name));
                cli.err.println("Destroyed " + name);
            }
            return 0;
        }
    }

    @Command(
            name = "rollout",
            mixinStandardHelpOptions = true,
            description = {
                "Show, pause or resume the rollout of a global unit's new file.",
                "A new file for a global unit goes out in batches (submit it with `start`); each batch waits until"
                        + " the unit is active long enough on all its machines.",
                "status waits until the rollout ends, with a progress bar on a terminal (plain lines otherwise):"
                        + " exit 0 succeeded, 1 reverted or paused, 4 --timeout reached; --no-wait shows it once.",
                "",
                "Examples:",
                "  flotilla rollout status web.service",
                "  flotilla rollout status --no-wait web.service",
                "  flotilla rollout pause web.service"
            })
    static final class Rollout implements Callable<Integer> {
        @ParentCommand
        Cli cli;

        @Parameters(index = "0", paramLabel = "ACTION", description = "status, pause or resume")
        String action;

        @Parameters(index = "1", paramLabel = "UNIT")
        String unit;

        @Option(names = "--no-wait", description = "status: show the rollout as it is now, without waiting.")
        boolean noWait;

        @Option(
                names = "--timeout",
                defaultValue = "0",
                paramLabel = "SECONDS",
                description = "status: give up after this many seconds, exit 4 (default 0: no limit).")
        int timeout;

        @Override
        public Integer call() throws InterruptedException {
            String path = "/api/v1/units/" + Api.encode(unit) + "/rollout";
            JsonNode r;
            switch (action) {
                case "status" -> {
                    return noWait ? show(cli.api().get(path)) : await(cli.api(), path);
                }
                case "pause", "resume" -> r = cli.api().post(path + "/" + action);
                default ->
                    throw new CommandLine.ParameterException(
                            new CommandLine(this), "ACTION must be status, pause or resume, not '" + action + "'");
            }
            return show(r);
        }

        /** Polls the rollout until it is no longer running; the exit code says how it ended. */
        private int await(Api api, String path) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(timeout).toNanos();
            String last = null;
            while (true) {
                JsonNode r = api.get(path);
                String state = r.path("state").asText();
                if (!cli.json()) {
                    String line = progress(r);
                    if (cli.interactive) {
                        cli.err.print("\r\033[K" + line);
                        cli.err.flush();
                    } else if (!line.equals(last)) {
                        cli.err.println(line);
                    }
                    last = line;
                }
                if (!"running".equals(state)) {
                    if (cli.interactive && !cli.json()) {
                        cli.err.println();
                    }
                    show(r);
                    return "succeeded".equals(state) ? 0 : REFUSED;
                }
                if (timeout > 0 && System.nanoTime() > deadline) {
                    if (cli.interactive && !cli.json()) {
                        cli.err.println();
                    }
                    cli.err.println("flotilla: the rollout of " + unit + " is still running after " + timeout + " s");
                    return TIMED_OUT;
                }
                Thread.sleep(1000);
            }
        }

        /** "[#####.....] 5/10 healthy, 1 updating, 0 failed; batch 2, running" (the bar on a terminal only). */
        String progress(JsonNode r) {
            int healthy = r.path("healthy").asInt();
            int total = healthy
                    + r.path("updating").asInt()
                    + r.path("failed").asInt()
                    + r.path("reverted").asInt()
                    + r.path("pending").asInt();
            String counts =
                    healthy + "/" + total + " healthy, " + r.path("updating").asInt() + " updating, "
                            + r.path("failed").asInt() + " failed; batch "
                            + r.path("batch").asInt() + ", "
                            + r.path("state").asText();
            if (!cli.interactive) {
                return unit + ": " + counts;
            }
            int width = 20;
            int done = total == 0 ? 0 : healthy * width / total;
            return "[" + "#".repeat(done) + ".".repeat(width - done) + "] " + counts;
        }

        private int show(JsonNode r) {
            if (cli.json()) {
                cli.print(r);
                return 0;
            }
            cli.out.println(
                    "rollout of " + unit + ": " + cli.paint(r.path("state").asText()) + " — batch "
                            + r.path("batch").asInt() + "; " + r.path("healthy").asInt() + " healthy, "
                            + r.path("updating").asInt() + " updating, "
                            + r.path("failed").asInt() + " failed, "
                            + r.path("reverted").asInt() + " reverted, "
                            + r.path("pending").asInt() + " pending");
            String healthyFor = r.path("minHealthy").asText();
            String deadline = r.path("batchDeadline").asText();
            cli.out.println("  policy: " + r.path("maxParallel").asText() + " at once, healthy for " + healthyFor
                    + ", deadline " + deadline + ", " + r.path("maxFailures").asInt() + " failure(s) allowed; file "
                    + shortHash(r.path("fromHash").asText()) + " → "
                    + shortHash(r.path("toHash").asText()));
            if (!r.path("message").isNull() && !r.path("message").asText().isEmpty()) {
                cli.out.println("  " + r.path("message").asText());
            }
            List<List<String>> rows = new java.util.ArrayList<>();
            for (JsonNode m : r.path("machines")) {
                rows.add(List.of(
                        m.path("machineId").asText(),
                        m.path("batch").asText(),
                        m.path("state").asText(),
                        m.path("reason").isNull() ? "" : m.path("reason").asText()));
            }
            if (!rows.isEmpty()) {
                cli.table(List.of("MACHINE", "BATCH", "STATE", "REASON"), rows);
            }
            return 0;
        }

        private static String shortHash(String hash) {
            return hash.substring(0, Math.min(8, hash.length()));
        }
    }

    @Command(
            name = "install-agent",
            mixinStandardHelpOptions = true,
            description = {
                "Make an enrollment token and print the commands that install the agent enrolled by it.",
                "Ways: deb, rpm (packages with their own Java runtime), fcos, flatcar (Butane configs to",
                "provision with), container (a running CoreOS host, by hand), jar (Java 17+), all.",
                "The token's secret is shown this once; it is spent by as many hosts as --uses says."
            })
    static final class InstallAgent implements Callable<Integer> {
        @ParentCommand
        Cli cli;

        @Option(
                names = "--way",
                defaultValue = "deb",
                description = "deb (default), rpm, fcos, flatcar, container, jar or all.")
        String way;

        @Option(
                names = "--uses",
                defaultValue = "1",
                description = "How many hosts may enroll with the token (default 1).")
        int uses;

        @Option(
                names = "--ttl",
                defaultValue = "P1D",
                description = "How long the token is valid, ISO-8601 (default P1D).")
        String ttl;

        @Option(names = "--name", description = "The token's name (default: install-agent WAY).")
        String name;

        @Override
        public Integer call() {
            List<String> ways = List.of("deb", "rpm", "fcos", "flatcar", "container", "jar", "all");
            if (!ways.contains(way)) {
                cli.err.println("flotilla: --way must be one of " + String.join(", ", ways) + ", not '" + way + "'");
                return 2;
            }
            if (uses < 1) {
                cli.err.println("flotilla: --uses must be at least 1");
                return 2;
            }
            JsonNode created = cli.api()
                    .post(
                            "/api/v1/enrollment-tokens",
                            Map.of(
                                    "name", name != null ? name : "install-agent " + way,
                                    "maxUses", uses,
                                    "ttl", ttl));
            if (cli.json()) {
                cli.print(created);
                return 0;
            }
            List<JsonNode> chosen = new ArrayList<>();
            created.path("install").forEach(c -> {
                if (way.equals("all") || way.equals(c.path("way").asText())) {
                    chosen.add(c);
                }
            });
            if (chosen.isEmpty()) {
                cli.err.println("flotilla: the service gave no install command for '" + way + "' (token "
                        + created.path("token").path("id").asText() + " was made)");
                return REFUSED;
            }
            for (JsonNode c : chosen) {
                cli.out.println("# " + c.path("title").asText());
                cli.out.print(c.path("text").asText());
                cli.out.println();
            }
            JsonNode t = created.path("token");
            cli.err.println("Enrollment token " + text(t.path("name")) + " (" + text(t.path("id")) + "): "
                    + text(t.path("maxUses")) + " use(s), until " + text(t.path("expiresAt")) + ".");
            return 0;
        }
    }

    @Command(name = "cat", mixinStandardHelpOptions = true, description = "Print a unit's file.")
    static final class Cat implements Callable<Integer> {
        @ParentCommand
        Cli cli;

        @Parameters(paramLabel = "UNIT")
        String unit;

        @Override
        public Integer call() {
            JsonNode u = cli.api().get("/api/v1/units/" + Api.encode(unit));
            cli.out.print(u.path("content").asText());
            return 0;
        }
    }

    @Command(
            name = "status",
            mixinStandardHelpOptions = true,
            description = "Show a unit's target, placement and its state on each machine.")
    static final class Status implements Callable<Integer> {
        @ParentCommand
        Cli cli;

        @Parameters(paramLabel = "UNIT")
        String unit;

        @CommandLine.Mixin
        WatchOptions watch;

        @Override
        public Integer call() throws Exception {
            return cli.watch(watch.watch, watch.interval, this::frame);
        }

        private Integer frame() {
            Api api = cli.api();
            JsonNode u = api.get("/api/v1/units/" + Api.encode(unit));
            JsonNode states = Api.JSON.valueToTree(states(api, unit));
            if (cli.json()) {
                var both = Api.JSON.createObjectNode();
                both.set("unit", u);
                both.set("states", states);
                cli.print(both);
                return 0;
            }
            cli.out.println("● " + unit + " — target " + u.path("target").asText()
                    + (u.path("global").asBoolean() ? ", global" : ", on " + text(u.path("machineId"))));
            cli.out.println(
                    "  " + u.path("active").asInt() + " of " + u.path("placed").asInt() + " machines active, "
                            + u.path("failed").asInt() + " failed; hash "
                            + u.path("hash").asText());
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode s : states) {
                rows.add(List.of(
                        s.path("machineID").asText(),
                        s.path("systemdLoadState").asText(),
                        s.path("systemdActiveState").asText(),
                        s.path("systemdSubState").asText()));
            }
            if (!rows.isEmpty()) {
                cli.out.println();
                cli.table(List.of("MACHINE", "LOAD", "ACTIVE", "SUB"), rows);
            }
            return 0;
        }
    }

    @Command(
            name = "journal",
            mixinStandardHelpOptions = true,
            description = {
                "Print the tail of a unit's journal, fetched through the agent.",
                "With -f, ask again every --interval seconds and print only the new entries, until Ctrl-C."
            })
    static final class Journal implements Callable<Integer> {
        @ParentCommand
        Cli cli;

        @Parameters(paramLabel = "UNIT")
        String unit;

        @Option(
                names = {"-n", "--lines"},
                defaultValue = "10",
                description = "How many entries (default ${DEFAULT-VALUE}).")
        int lines;

        @Option(
                names = "--machine",
                description = "The machine (id, unique id prefix or host name), for a global unit"
                        + " (default: where the unit is placed).")
        String machine;

        @Option(
                names = {"-f", "--follow"},
                description = "Keep printing new entries until Ctrl-C.")
        boolean follow;

        @Option(
                names = "--interval",
                defaultValue = "2",
                paramLabel = "SECONDS",
                description = "Seconds between two questions with -f (default ${DEFAULT-VALUE}).")
        int interval;

        @Override
        public Integer call() throws InterruptedException {
            if (lines < 1 || lines > 1000) {
                cli.err.println("flotilla: --lines must be 1 to 1000");
                return 2;
            }
            if (follow && interval < 1) {
                cli.err.println("flotilla: --interval must be at least 1 second");
                return 2;
            }
            Api api = cli.api();
            String on = machine == null ? null : MoreCommands.machine(api, machine);
            if (on == null) {
                JsonNode u = api.get("/api/v1/units/" + Api.encode(unit));
                if (!u.path("machineId").isTextual()) {
                    cli.err.println("flotilla: " + unit + " is not placed on one machine; name one with --machine");
                    return 2;
                }
                on = u.path("machineId").asText();
            }
            String path = "/api/v1/machines/" + Api.encode(on) + "/units/" + Api.encode(unit) + "/journal?lines=";
            JsonNode reply = api.get(path + lines);
            if (!follow) {
                if (cli.json()) {
                    cli.print(reply);
                } else {
                    reply.path("journal").forEach(this::printEntry);
                }
                return 0;
            }
            JournalFollower follower = new JournalFollower();
            follower.news(reply.path("journal")).forEach(this::printEntry);
            while (true) {
                Thread.sleep(interval * 1000L);
                try {
                    // Enough entries to overlap the last ones printed, unless the unit wrote more
                    // than that since: then the gap is shown, not hidden.
                    follower.news(api.get(path + 1000).path("journal")).forEach(this::printEntry);
                } catch (Api.Failure f) {
                    cli.err.println("flotilla: " + f.getMessage() + " (asking again)");
                }
            }
        }

        private void printEntry(JsonNode e) {
            if (cli.json()) {
                // One entry per line (JSON Lines), so a follower can be piped into jq.
                cli.out.println(e.toString());
            } else {
                cli.out.println(
                        e.path("time").asText() + " " + e.path("message").asText());
            }
            cli.out.flush();
        }
    }

    @Command(
            name = "verify",
            mixinStandardHelpOptions = true,
            description = "Check unit files as Flotilla would, without the service.")
    static final class Verify implements Callable<Integer> {
        @ParentCommand
        Cli cli;

        @Parameters(arity = "1..*", paramLabel = "FILE")
        List<Path> files;

        @Override
        public Integer call() throws IOException {
            int code = 0;
            for (Path f : files) {
                String name = f.getFileName().toString();
                String problem = UnitNames.problem(name);
                if (problem == null) {
                    try {
                        UnitFile file = UnitFile.parse(Files.readString(f, StandardCharsets.UTF_8));
                        problem = FleetRequirements.of(file, name).problem();
                    } catch (UnitFile.SyntaxException e) {
                        problem = e.getMessage();
                    }
                }
                if (problem == null) {
                    cli.out.println(name + ": ok");
                } else {
                    cli.out.println(name + ": " + problem);
                    code = REFUSED;
                }
            }
            return code;
        }
    }
}
