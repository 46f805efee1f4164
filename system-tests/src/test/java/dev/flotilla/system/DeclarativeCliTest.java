package dev.flotilla.system;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code flotilla export}, {@code diff} and {@code apply} as teams use them to keep a fleet in git:
 * the packaged CLI as a process against one packaged service with two organizations. Organization A
 * is exported, applied into the empty organization B, and then B shows no difference; a changed file
 * shows exactly that change; --prune removes what the files no longer name; bad files change nothing.
 */
class DeclarativeCliTest {
    record Run(int code, String out, String err) {}

    private static final String GLOBAL_UNIT =
            "[Unit]\nDescription=hello\n[Service]\nExecStart=/bin/sleep infinity\n" + "[X-Fleet]\nGlobal=true\n";
    private static final String SINGLE_UNIT = "[Service]\nExecStart=/bin/sleep infinity\n";
    // The update policy as the API takes it (its field names are the API's: rename them with it).
    private static final String POLICY = "{\"name\":\"nightly\",\"selector\":\"role=web\",\"maxParallel\":\"1\","
            + "\"windows\":[{\"days\":[\"MON\",\"THU\"],\"start\":\"02:00\",\"length\":\"PT2H\","
            + "\"timeZone\":\"Europe/Berlin\"}]}";

    @Test
    void shouldRoundTripAnOrganizationThroughFilesAndConvergeToThem() throws Exception {
        try (RunningService service = new RunningService("declarative")) {
            String tokenA = service.token;
            String tokenB = secondOrganization(service);
            String machineA = enroll(service, tokenA, "decl-a");
            String machineB = enroll(service, tokenB, "decl-b");
            Path work = service.work;

            // Organization A, filled through the CLI and the API: a global unit, a single one, a
            // policy with a weekly window, and a label rule applied from a file.
            Path units = Files.createDirectories(work.resolve("src"));
            Files.writeString(units.resolve("hello.service"), GLOBAL_UNIT);
            Files.writeString(units.resolve("single.service"), SINGLE_UNIT);
            Run started =
                    cli(service, tokenA, "start", units.resolve("hello.service").toString());
            assertThat(started.code()).as(started.err()).isZero();
            assertThat(cli(
                                    service,
                                    tokenA,
                                    "load",
                                    units.resolve("single.service").toString())
                            .code())
                    .isZero();
            Project.Reply policy = Project.post(service.url + "/api/v1/update-policies", tokenA, POLICY);
            assertThat(policy.status()).as(String.valueOf(policy.body())).isEqualTo(201);
            assertThat(cli(service, tokenA, "label", machineA, "role=web").code())
                    .isZero();
            Path rules = work.resolve("rules.yaml");
            Files.writeString(
                    rules, "apiVersion: flotilla.dev/v1\nlabels:\n  - selector: role=web\n    labels: {zone: a}\n");
            Run labelled = cli(service, tokenA, "apply", "-f", rules.toString());
            assertThat(labelled.code()).as(labelled.err()).isZero();
            assertThat(labelled.out()).contains("~ labels role=web: 1 machine(s) labelled");
            assertThat(labels(service, tokenA, machineA).path("zone").asText()).isEqualTo("a");

            // export A: flotilla.yaml and units/NAME, without what the service computes.
            Path fleet = work.resolve("fleet");
            Run exported = cli(service, tokenA, "export", fleet.toString());
            assertThat(exported.code()).as(exported.err()).isZero();
            assertThat(Files.readString(fleet.resolve("units/hello.service"))).contains("Global=true");
            assertThat(fleet.resolve("units/single.service")).exists();
            String yaml = Files.readString(fleet.resolve("flotilla.yaml"));
            assertThat(yaml)
                    .contains("apiVersion: flotilla.dev/v1")
                    .contains("name: nightly")
                    .contains("Europe/Berlin")
                    .doesNotContain("openNow")
                    .doesNotContain("createdAt")
                    .doesNotContain("nextWindows");
            Run again = cli(service, tokenA, "export", fleet.toString());
            assertThat(again.code()).isEqualTo(2);
            assertThat(again.err()).contains("is not empty; --force");
            assertThat(cli(service, tokenA, "diff", "-f", fleet.toString()).code())
                    .as("A against its own export")
                    .isZero();

            // diff against the empty B: additions, exit 1; apply; then no difference.
            Run toB = cli(service, tokenB, "diff", "-f", fleet.toString());
            assertThat(toB.code()).as(toB.err()).isEqualTo(1);
            assertThat(toB.out())
                    .contains("+ unit hello.service")
                    .contains("+ unit single.service")
                    .contains("+ policy nightly")
                    .contains("Plan: 3 to add, 0 to change, 0 to delete.");
            Run applied = cli(service, tokenB, "apply", "-f", fleet.toString());
            assertThat(applied.code()).as(applied.out() + applied.err()).isZero();
            Run clean = cli(service, tokenB, "diff", "-f", fleet.toString());
            assertThat(clean.code()).as(clean.out() + clean.err()).isZero();
            assertThat(clean.out()).contains("No differences.");
            JsonNode single = Project.get(service.url + "/api/v1/units/single.service", tokenB)
                    .body();
            assertThat(single.path("target").asText()).isEqualTo("loaded");

            // A changed unit file: diff shows exactly it, apply makes it, diff is clean again.
            Files.writeString(fleet.resolve("units/single.service"), SINGLE_UNIT + "Restart=always\n");
            Run changed = cli(service, tokenB, "diff", "-f", fleet.toString());
            assertThat(changed.code()).isEqualTo(1);
            assertThat(changed.out())
                    .contains("~ unit single.service (content)")
                    .contains("+Restart=always")
                    .contains("Plan: 0 to add, 1 to change, 0 to delete.")
                    .doesNotContain("hello.service")
                    .doesNotContain("nightly");
            Run json = cli(service, tokenB, "-o", "json", "diff", "-f", fleet.toString());
            JsonNode plan = Project.JSON.readTree(json.out());
            assertThat(plan.path("differences").asBoolean()).isTrue();
            assertThat(plan.path("changes")).hasSize(1);
            assertThat(cli(service, tokenB, "apply", "-f", fleet.toString()).code())
                    .isZero();
            assertThat(cli(service, tokenB, "diff", "-f", fleet.toString()).code())
                    .isZero();

            // The files as a team writes them: a policy field changed, a label rule, a target.
            assertThat(cli(service, tokenB, "label", machineB, "role=web").code())
                    .isZero();
            Files.writeString(fleet.resolve("flotilla.yaml"), """
                    apiVersion: flotilla.dev/v1
                    units:
                      - name: hello.service
                      - name: single.service
                        target: launched
                    updatePolicies:
                      - name: nightly
                        selector: role=web
                        maxParallel: 2
                    labels:
                      - selector: role=web
                        labels: {zone: a, legacy: "-"}
                    """);
            Run edited = cli(service, tokenB, "diff", "-f", fleet.toString());
            assertThat(edited.code()).as(edited.err()).isEqualTo(1);
            assertThat(edited.out())
                    .contains("~ unit single.service (target: loaded → launched)")
                    .contains("~ policy nightly (maxParallel: 1 → 2)")
                    .contains("~ labels role=web: 1 machine (zone: - → a)")
                    .contains("Plan: 0 to add, 3 to change, 0 to delete.");
            Run converged = cli(service, tokenB, "apply", "-f", fleet.toString());
            assertThat(converged.code()).as(converged.err()).isZero();
            assertThat(cli(service, tokenB, "diff", "-f", fleet.toString()).code())
                    .isZero();
            assertThat(labels(service, tokenB, machineB).path("zone").asText()).isEqualTo("a");
            JsonNode nightly = Project.get(service.url + "/api/v1/update-policies/nightly", tokenB)
                    .body();
            assertThat(nightly.path("maxParallel").asText()).isEqualTo("2");
            assertThat(nightly.path("windows"))
                    .as("a field the file leaves out keeps its value")
                    .hasSize(1);

            // An object the files no longer name: kept, unless --prune (asked for, or --yes).
            Files.delete(fleet.resolve("units/single.service"));
            Files.writeString(
                    fleet.resolve("flotilla.yaml"),
                    Files.readString(fleet.resolve("flotilla.yaml"))
                            .replace("  - name: single.service\n    target: launched\n", ""));
            assertThat(cli(service, tokenB, "diff", "-f", fleet.toString()).code())
                    .isZero();
            Run pruned = cli(service, tokenB, "diff", "--prune", "-f", fleet.toString());
            assertThat(pruned.code()).isEqualTo(1);
            assertThat(pruned.out()).contains("- unit single.service").doesNotContain("machine");
            Run unasked = cli(service, tokenB, "apply", "--prune", "-f", fleet.toString());
            assertThat(unasked.code()).isEqualTo(2);
            assertThat(unasked.err()).contains("needs --yes");
            assertThat(status(service, tokenB, "single.service")).isEqualTo(200);
            Run prune = cli(service, tokenB, "apply", "--prune", "--yes", "-f", fleet.toString());
            assertThat(prune.code()).as(prune.err()).isZero();
            assertThat(prune.out()).contains("- unit single.service: deleted");
            assertThat(status(service, tokenB, "single.service")).isEqualTo(404);
            assertThat(cli(service, tokenB, "diff", "--prune", "-f", fleet.toString())
                            .code())
                    .isZero();
            assertThat(Project.get(service.url + "/api/v1/machines/" + machineB, tokenB)
                            .status())
                    .as("machines are never pruned")
                    .isEqualTo(200);

            // Bad files: a clear error naming file and field, exit 2, nothing changed (not even
            // the valid new unit beside the mistake).
            Files.writeString(fleet.resolve("units/new.service"), SINGLE_UNIT);
            Map<String, String> bad = Map.of(
                    "apiVersion: flotilla.dev/v1\nunits:\n  - name: hello.service\n    colour: red\n",
                    "units[0].colour: unknown field",
                    "apiVersion: flotilla.dev/v1\nunits: [\n",
                    "not valid YAML",
                    "apiVersion: flotilla.dev/v1\nunits:\n  - name: other.service\n    file: units/hello.service\n",
                    "the file name is the unit name: units/hello.service is not other.service");
            for (Map.Entry<String, String> b : bad.entrySet()) {
                Files.writeString(fleet.resolve("flotilla.yaml"), b.getKey());
                Run refused = cli(service, tokenB, "apply", "-f", fleet.toString());
                assertThat(refused.code()).as(b.getKey()).isEqualTo(2);
                assertThat(refused.err())
                        .contains(fleet.resolve("flotilla.yaml").toString())
                        .contains(b.getValue())
                        .contains("nothing changed");
                assertThat(status(service, tokenB, "new.service")).isEqualTo(404);
            }
        }
    }

    /** A second organization, made by the admin signed in as a person, and an admin API token of it. */
    private static String secondOrganization(RunningService service) throws Exception {
        HttpClient http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        HttpResponse<String> signIn = http.send(
                HttpRequest.newBuilder(URI.create(service.url + "/j_security_check"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("j_username=admin&j_password="
                                + URLEncoder.encode(service.adminPassword, StandardCharsets.UTF_8)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        String cookie = signIn.headers().allValues("Set-Cookie").stream()
                .filter(c -> c.startsWith("quarkus-credential="))
                .map(c -> c.substring(0, c.indexOf(';')))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no session cookie: " + signIn.statusCode()));
        String slug = "b-" + Long.toHexString(System.nanoTime());
        HttpResponse<String> org = http.send(
                HttpRequest.newBuilder(URI.create(service.url + "/api/v1/orgs"))
                        .header("Cookie", cookie)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"slug\":\"" + slug + "\",\"name\":\"Organization B\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(org.statusCode()).as(org.body()).isEqualTo(201);
        HttpResponse<String> token = http.send(
                HttpRequest.newBuilder(URI.create(service.url + "/api/v1/tokens"))
                        .header("Cookie", cookie)
                        .header("Flotilla-Org", slug)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"declarative\",\"role\":\"admin\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(token.statusCode()).as(token.body()).isEqualTo(201);
        return Project.JSON.readTree(token.body()).path("secret").asText();
    }

    /** A machine of the token's organization, enrolled as an agent would (no agent runs). */
    private static String enroll(RunningService service, String token, String hostname) throws Exception {
        String secret = Project.post(
                        service.url + "/api/v1/enrollment-tokens", token, "{\"name\":\"decl\",\"maxUses\":1}")
                .body()
                .path("secret")
                .asText();
        String id = (Long.toHexString(System.nanoTime()) + "d".repeat(32)).substring(0, 32);
        Project.Reply enrolled = Project.post(
                service.url + "/agent/v1/enroll",
                null,
                Project.JSON.writeValueAsString(Map.of("token", secret, "machineId", id, "hostname", hostname)));
        assertThat(enrolled.status()).as(String.valueOf(enrolled.body())).isEqualTo(201);
        return id;
    }

    private static JsonNode labels(RunningService service, String token, String machine) throws Exception {
        return Project.get(service.url + "/api/v1/machines/" + machine, token)
                .body()
                .path("labels");
    }

    private static int status(RunningService service, String token, String unit) throws Exception {
        return Project.get(service.url + "/api/v1/units/" + unit, token).status();
    }

    private static Run cli(RunningService service, String token, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                "java",
                "-jar",
                Project.ROOT.resolve("cli/target/flotilla-cli.jar").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(Project.ROOT.toFile());
        pb.environment().put("FLOTILLA_URL", service.url);
        pb.environment().put("FLOTILLA_TOKEN", token);
        Process p = pb.start();
        p.getOutputStream().close(); // no terminal, no answer: as in a script
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
}
