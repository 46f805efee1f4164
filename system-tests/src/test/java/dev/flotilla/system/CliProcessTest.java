package dev.flotilla.system;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged CLI as its users run it, a process against the packaged service: through
 * {@code ./flotilla} and as {@code java -jar}, global options in any position, machines named by
 * host name or id prefix, enrollment tokens, the audit log, completion, contexts, update policies
 * and leases, --watch and journal -f, and the refusals. One service for all of them.
 */
class CliProcessTest {
    record Run(int code, String out, String err) {}

    private static RunningService service;

    @BeforeAll
    static void startService() throws Exception {
        service = new RunningService("cli");
    }

    @AfterAll
    static void stopService() throws Exception {
        if (service != null) {
            service.close();
        }
    }

    /**
     * The process's environment: the service's URL and token, and a config directory of the
     * test's own (never the user's contexts); {@code env} changes it (a null value removes a name).
     */
    private static ProcessBuilder builder(RunningService service, List<String> command, Map<String, String> env) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(Project.ROOT.toFile());
        pb.environment().put("FLOTILLA_URL", service.url);
        pb.environment().put("FLOTILLA_TOKEN", service.token);
        pb.environment().put("FLOTILLA_HOME", service.work.resolve("home").toString());
        pb.environment().put("XDG_CONFIG_HOME", service.work.resolve("xdg").toString());
        List.of("FLOTILLA_ORG", "FLOTILLA_CONTEXT", "FLOTILLA_CA_FILE").forEach(pb.environment()::remove);
        env.forEach((k, v) -> {
            if (v == null) {
                pb.environment().remove(k);
            } else {
                pb.environment().put(k, v);
            }
        });
        return pb;
    }

    private static Run run(RunningService service, List<String> command) throws Exception {
        return run(service, command, Map.of(), "");
    }

    private static Run run(RunningService service, List<String> command, Map<String, String> env, String stdin)
            throws Exception {
        Process p = builder(service, command, env).start();
        try (var in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        String out = read(p.getInputStream());
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(command + " did not finish in 60 s");
        }
        return new Run(p.exitValue(), out, err.get());
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static List<String> jar(String... args) {
        List<String> command = new ArrayList<>(List.of(
                "java",
                "-jar",
                Project.ROOT.resolve("cli/target/flotilla-cli.jar").toString()));
        command.addAll(List.of(args));
        return command;
    }

    private static Run cli(RunningService service, String... args) throws Exception {
        return run(service, jar(args));
    }

    /** The CLI with {@code env} changing its environment (see {@link #builder}). */
    private static Run cli(Map<String, String> env, String... args) throws Exception {
        return run(service, jar(args), env, "");
    }

    @Test
    void shouldBehaveAsItsUsersExpect() throws Exception {
        // A machine to work on, enrolled as an agent would.
        String id = "c11" + Long.toHexString(System.nanoTime()) + "0".repeat(32);
        id = id.substring(0, 32);
        Project.Reply enrolled = Project.post(
                service.url + "/agent/v1/enroll",
                null,
                Project.JSON.writeValueAsString(
                        Map.of("token", service.newEnrollmentToken(1), "machineId", id, "hostname", "cli-host")));
        assertThat(enrolled.status()).as(enrolled.body().toString()).isEqualTo(201);

        // Global options before or after the command, through the entry script and the jar.
        for (List<String> args : List.of(
                List.of("./flotilla", "-o", "json", "list-machines"),
                List.of("./flotilla", "list-machines", "-o", "json"),
                List.of("./flotilla", "list-machines", "--output=json", "--url", service.url))) {
            Run r = run(service, args);
            assertThat(r.code()).as(args + ": " + r.err()).isZero();
            JsonNode list = Project.JSON.readTree(r.out());
            assertThat(list.findValuesAsText("hostname")).as(args.toString()).contains("cli-host");
        }
        Run table = cli(service, "list-machines");
        assertThat(table.out()).startsWith("MACHINE").contains("cli-host");
        Run badFormat = cli(service, "list-machines", "-o", "xml");
        assertThat(badFormat.code()).isEqualTo(2);
        assertThat(badFormat.err()).contains("-o must be one of table, wide, json, yaml, name, not 'xml'");

        // Machines by host name and by a unique start of the id.
        assertThat(cli(service, "label", "cli-host", "role=web", "zone=a").code())
                .isZero();
        assertThat(cli(service, "label", id.substring(0, 6), "zone-").code()).isZero();
        JsonNode m = Project.get(service.url + "/api/v1/machines/" + id, service.token)
                .body();
        assertThat(m.get("labels").get("role").asText()).isEqualTo("web");
        assertThat(m.get("labels").has("zone")).isFalse();
        // unlabel: the same as KEY-, and a KEY=VALUE is refused as usage.
        assertThat(cli(service, "unlabel", "cli-host", "role").code()).isZero();
        assertThat(Project.get(service.url + "/api/v1/machines/" + id, service.token)
                        .body()
                        .get("labels")
                        .has("role"))
                .isFalse();
        assertThat(cli(service, "unlabel", "cli-host", "a=b").code()).isEqualTo(2);
        assertThat(cli(service, "label", "cli-host", "role=web").code()).isZero();
        Run unknown = cli(service, "label", "no-such-host", "a=b");
        assertThat(unknown.code()).isEqualTo(3);
        assertThat(unknown.err()).contains("no machine has the id prefix or host name 'no-such-host'");

        // Enrollment tokens: create prints the secret alone; list; revoke.
        Run created = cli(service, "enrollment-token", "create", "rack-9", "--uses", "3");
        assertThat(created.code()).as(created.err()).isZero();
        assertThat(created.out().strip()).startsWith("fle_").doesNotContain(" ");
        Run listed = cli(service, "-o", "json", "enrollment-token", "list");
        JsonNode tokens = Project.JSON.readTree(listed.out());
        String tokenId = null;
        for (JsonNode t : tokens) {
            if (t.get("name").asText().equals("rack-9")) {
                tokenId = t.get("id").asText();
            }
        }
        assertThat(tokenId).isNotNull();
        assertThat(cli(service, "enrollment-token", "revoke", tokenId).code()).isZero();
        assertThat(cli(service, "enrollment-token", "list").out()).containsPattern("rack-9\\s+revoked");

        // The audit log tells what the CLI did.
        assertThat(cli(service, "audit", "--limit", "100").out()).contains("enrollment-token");

        // Removing a machine asks first; a script must say --yes.
        Run noYes = cli(service, "remove-machine", "cli-host");
        assertThat(noYes.code()).isEqualTo(2);
        assertThat(noYes.err()).contains("needs --yes when not run from a terminal");
        assertThat(cli(service, "remove-machine", "--yes", "cli-host").code()).isZero();
        assertThat(Project.get(service.url + "/api/v1/machines/" + id, service.token)
                        .status())
                .isEqualTo(404);

        // Completion for bash (and zsh through bashcompinit).
        Run bash = cli(service, "completion", "bash");
        assertThat(bash.code()).isZero();
        assertThat(bash.out()).contains("complete -F").contains("list-machines").contains("remove-machine");
        assertThat(cli(service, "completion", "tcsh").code()).isEqualTo(2);
    }

    @Test
    void shouldLogInToContextsThatTheEnvironmentAndOptionsOverride() throws Exception {
        Path xdg = service.work.resolve("xdg-login");
        Path config = xdg.resolve("flotilla/config");
        // No FLOTILLA_URL or FLOTILLA_TOKEN: only what login keeps.
        Map<String, String> env = new HashMap<>();
        env.put("XDG_CONFIG_HOME", xdg.toString());
        env.put("FLOTILLA_URL", null);
        env.put("FLOTILLA_TOKEN", null);

        Run refused = cli(env, "login", service.url, "--token", "flt_not-a-token");
        assertThat(refused.code()).as(refused.err()).isEqualTo(1);
        assertThat(refused.err()).contains("the service refused the token").contains("nothing saved");
        assertThat(config).doesNotExist();
        Run noToken = cli(env, "login", service.url);
        assertThat(noToken.code()).isEqualTo(2);
        assertThat(noToken.err()).contains("login needs --token or --token-stdin when not run from a terminal");

        Run login =
                run(service, jar("login", service.url, "--name", "local", "--token-stdin"), env, service.token + "\n");
        assertThat(login.code()).as(login.err()).isZero();
        assertThat(config).exists();
        assertThat(Files.getPosixFilePermissions(config))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(Files.readString(config)).contains(service.token).contains("current-context: local");
        Run withOrg =
                cli(env, "login", service.url, "--name", "in-default", "--org", "default", "--token", service.token);
        assertThat(withOrg.code()).as(withOrg.err()).isZero();

        // The last login is the current context; list shows no secret; use switches.
        Run listed = cli(env, "context", "list");
        assertThat(listed.out())
                .startsWith("CURRENT  NAME        URL")
                .containsPattern("\\*\\s+in-default\\s+" + service.url.replace(".", "\\.") + "\\s+default\\s+token")
                .doesNotContain(service.token);
        assertThat(cli(env, "context", "use", "local").code()).isZero();
        JsonNode contexts =
                Project.JSON.readTree(cli(env, "-o", "json", "context", "list").out());
        assertThat(contexts.get(0).get("name").asText()).isEqualTo("local");
        assertThat(contexts.get(0).get("current").asBoolean()).isTrue();
        assertThat(contexts.toString()).doesNotContain(service.token);
        assertThat(cli(env, "context", "use", "nope").code()).isEqualTo(3);

        // The context alone is enough.
        Run fromContext = cli(env, "list-machines", "-o", "json");
        assertThat(fromContext.code()).as(fromContext.err()).isZero();
        assertThat(Project.JSON.readTree(fromContext.out()).isArray()).isTrue();

        // The environment beats the context, and an option beats the environment.
        Map<String, String> badEnv = new HashMap<>(env);
        badEnv.put("FLOTILLA_TOKEN", "flt_wrong");
        Run envToken = cli(badEnv, "list-machines");
        assertThat(envToken.code()).isEqualTo(1);
        assertThat(envToken.err()).contains("HTTP 401");
        assertThat(cli(badEnv, "list-machines", "--token", service.token).code())
                .isZero();
        Map<String, String> elsewhere = new HashMap<>(env);
        elsewhere.put("FLOTILLA_URL", "http://127.0.0.1:" + Project.freePort());
        Run envUrl = cli(elsewhere, "list-machines");
        assertThat(envUrl.code()).isEqualTo(5);
        // ... and the context's token is not sent to another service.
        assertThat(envUrl.err()).contains("no API token");
        Map<String, String> namedContext = new HashMap<>(env);
        namedContext.put("FLOTILLA_CONTEXT", "no-such-context");
        assertThat(cli(namedContext, "list-machines").code()).isEqualTo(3);
        assertThat(cli(namedContext, "list-machines", "--context", "in-default").code())
                .isZero();

        // --org: the token's own organization is accepted; another is refused, not silently ignored.
        assertThat(cli(env, "list-machines", "--org", "default").code()).isZero();
        Run otherOrg = cli(env, "--org", "acme", "list-machines");
        assertThat(otherOrg.code()).isEqualTo(1);
        assertThat(otherOrg.err()).contains("the API token belongs to organization default, not to 'acme'");
        Map<String, String> orgEnv = new HashMap<>(env);
        orgEnv.put("FLOTILLA_ORG", "acme");
        assertThat(cli(orgEnv, "list-machines").code()).isEqualTo(1);

        // logout forgets the token and keeps the context; delete removes it.
        assertThat(cli(env, "logout").code()).isZero();
        Run loggedOut = cli(env, "list-machines");
        assertThat(loggedOut.code()).isEqualTo(5);
        assertThat(loggedOut.err()).contains("context local has no token");
        assertThat(cli(env, "context", "delete", "local").code()).isZero();
        assertThat(cli(env, "-o", "name", "context", "list").out().strip()).isEqualTo("in-default");
    }

    /**
     * The header itself: the service ignores Flotilla-Org for API tokens (a token has one
     * organization), so what the CLI sends is seen here by a stand-in HTTP server of the test's.
     */
    @Test
    void shouldSendTheOrganizationAsTheFlotillaOrgHeader() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            seen.add(String.valueOf(exchange.getRequestHeaders().getFirst("Flotilla-Org")));
            byte[] body = "{\"items\":[],\"nextCursor\":null}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort();
            Map<String, String> env = Map.of("FLOTILLA_URL", url, "FLOTILLA_TOKEN", "a-keycloak-access-token");
            assertThat(cli(env, "--org", "acme", "list-machines").code()).isZero();
            Map<String, String> orgEnv =
                    Map.of("FLOTILLA_URL", url, "FLOTILLA_TOKEN", "a-keycloak-access-token", "FLOTILLA_ORG", "blue");
            assertThat(cli(orgEnv, "list-machines").code()).isZero();
            assertThat(cli(orgEnv, "list-machines", "--org", "green").code()).isZero();
            assertThat(cli(env, "list-machines").code()).isZero();
            assertThat(seen).containsExactly("acme", "blue", "green", "null");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void shouldApplyPauseResumeAndDeleteUpdatePolicies() throws Exception {
        Path yaml = service.work.resolve("web-policy.yaml");
        Files.writeString(yaml, "name: web\nselector: role=web\nmaxParallel: \"2\"\n");
        Run created = cli(service, "update-policy", "apply", "-f", yaml.toString());
        assertThat(created.code()).as(created.err()).isZero();
        assertThat(created.err()).contains("update-policy web created");
        Path json = service.work.resolve("web-policy.json");
        Files.writeString(json, "{\"name\": \"web\", \"selector\": \"role=web\", \"maxParallel\": \"25%\"}");
        Run replaced = cli(service, "update-policy", "apply", "-f", json.toString());
        assertThat(replaced.code()).as(replaced.err()).isZero();
        assertThat(replaced.err()).contains("update-policy web configured");
        JsonNode web = Project.get(service.url + "/api/v1/update-policies/web", service.token)
                .body();
        assertThat(web.get("maxParallel").asText()).isEqualTo("25%");

        Run got = cli(service, "update-policy", "get", "web", "-o", "json");
        assertThat(Project.JSON.readTree(got.out()).get("selector").asText()).isEqualTo("role=web");
        assertThat(cli(service, "update-policy", "list").out())
                .startsWith("NAME")
                .containsPattern("web\\s+role=web\\s+active");
        Run badFile = cli(
                service,
                "update-policy",
                "apply",
                "-f",
                json.resolveSibling("none.yaml").toString());
        assertThat(badFile.code()).isEqualTo(2);

        assertThat(cli(service, "update-policy", "pause", "web", "--reason", "kernel regression")
                        .code())
                .isZero();
        assertThat(cli(service, "update-policy", "list").out()).containsPattern("web\\s+role=web\\s+paused");
        assertThat(cli(service, "update-policy", "resume", "web").code()).isZero();
        assertThat(cli(service, "update-policy", "get", "web").out()).containsPattern("web\\s+role=web\\s+active");

        Run noYes = cli(service, "update-policy", "delete", "web");
        assertThat(noYes.code()).isEqualTo(2);
        assertThat(noYes.err()).contains("needs --yes");
        assertThat(cli(service, "update-policy", "delete", "web", "--yes").code())
                .isZero();
        assertThat(cli(service, "update-policy", "get", "web").code()).isEqualTo(3);

        // Leases: none yet, in a table and as JSON.
        Run leases = cli(service, "lease", "list");
        assertThat(leases.code()).as(leases.err()).isZero();
        assertThat(leases.out().strip()).isEqualTo("LEASE  POLICY  HOLDER  KIND  GRANTED  EXPIRES  OUTCOME");
        JsonNode leaseJson = Project.JSON.readTree(
                cli(service, "lease", "list", "-o", "json").out());
        assertThat(leaseJson.isArray()).isTrue();
        assertThat(leaseJson).isEmpty();
        assertThat(cli(service, "lease", "release", "0123").code()).isEqualTo(3);
    }

    @Test
    void shouldCompleteEveryCommandInFish() throws Exception {
        Run fish = cli(service, "completion", "fish");
        assertThat(fish.code()).as(fish.err()).isZero();
        assertThat(fish.out())
                .contains("complete -c flotilla -f -n '__fish_use_subcommand' -a 'list-machines'")
                .contains("-a 'update-policy'")
                .contains("-a 'lease'")
                .contains("__fish_seen_subcommand_from enrollment-token; and not __fish_seen_subcommand_from list"
                        + " create revoke' -a 'revoke'")
                .contains("-s o -l output -r -f -a 'table wide json yaml name'")
                .contains("-n '__fish_seen_subcommand_from list-machines' -s w -l watch");
    }

    @Test
    void shouldWatchAndFollowUntilStopped() throws Exception {
        // --watch, not on a terminal: frames one after the other, separated, without escape codes.
        Process watch = builder(service, jar("list-machines", "--watch", "--interval", "1"), Map.of())
                .start();
        StringBuffer frames = new StringBuffer();
        CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
            try (var in = new java.io.BufferedReader(
                    new java.io.InputStreamReader(watch.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    frames.append(line).append('\n');
                }
            } catch (IOException e) {
                frames.append(e);
            }
        });
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> frames.toString().split("MACHINE ", -1).length > 3);
            assertThat(watch.isAlive()).isTrue();
        } finally {
            watch.destroy();
        }
        assertThat(watch.waitFor(10, TimeUnit.SECONDS)).isTrue();
        reader.get(10, TimeUnit.SECONDS);
        assertThat(frames.toString()).doesNotContain("\033").contains("\n\nMACHINE ");

        // journal -f asks the agent again and again until stopped (each question is in the audit log).
        Process agent = service.startAgent(service.newEnrollmentToken(1), "journal-agent.log");
        service.awaitPresence("online");
        Process follow = builder(
                        service,
                        jar(
                                "journal",
                                "-f",
                                "--interval",
                                "1",
                                "--machine",
                                service.machineId.substring(0, 10),
                                "sshd.service"),
                        Map.of())
                .start();
        CompletableFuture<String> followErr = CompletableFuture.supplyAsync(() -> read(follow.getErrorStream()));
        try {
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> Project.get(service.url + "/api/v1/audit?action=unit.journal&limit=100", service.token)
                                    .body()
                                    .path("items")
                                    .size()
                            >= 3);
            assertThat(follow.isAlive()).isTrue();
        } finally {
            follow.destroy();
            agent.destroy();
        }
        assertThat(follow.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(followErr.get(10, TimeUnit.SECONDS)).doesNotContain("flotilla:");
        assertThat(agent.waitFor(20, TimeUnit.SECONDS)).isTrue();
    }
}
