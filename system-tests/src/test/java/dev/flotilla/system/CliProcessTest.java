package dev.flotilla.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged CLI as its users run it, a process against the packaged service: through
 * {@code ./flotilla} and as {@code java -jar}, global options in any position, machines named by
 * host name or id prefix, enrollment tokens, the audit log, completion, and the refusals.
 */
class CliProcessTest {
    record Run(int code, String out, String err) {}

    private static Run run(RunningService service, List<String> command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(Project.ROOT.toFile());
        pb.environment().put("FLOTILLA_URL", service.url);
        pb.environment().put("FLOTILLA_TOKEN", service.token);
        pb.environment().put("FLOTILLA_HOME", service.work.resolve("home").toString());
        Process p = pb.start();
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

    private static Run cli(RunningService service, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                "java",
                "-jar",
                Project.ROOT.resolve("cli/target/flotilla-cli.jar").toString()));
        command.addAll(List.of(args));
        return run(service, command);
    }

    @Test
    void shouldBehaveAsItsUsersExpect() throws Exception {
        try (RunningService service = new RunningService("cli")) {
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
                assertThat(list.get(0).get("hostname").asText())
                        .as(args.toString())
                        .isEqualTo("cli-host");
            }
            Run table = cli(service, "list-machines");
            assertThat(table.out()).startsWith("MACHINE").contains("cli-host");
            Run badFormat = cli(service, "list-machines", "-o", "xml");
            assertThat(badFormat.code()).isEqualTo(2);
            assertThat(badFormat.err()).contains("-o must be one of table, wide, json, yaml, name, not 'xml'");

            // Machines by host name and by a unique start of the id.
            assertThat(cli(service, "label", "cli-host", "role=web", "zone=a").code())
                    .isZero();
            assertThat(cli(service, "label", id.substring(0, 6), "zone-").code())
                    .isZero();
            JsonNode m = Project.get(service.url + "/api/v1/machines/" + id, service.token)
                    .body();
            assertThat(m.get("labels").get("role").asText()).isEqualTo("web");
            assertThat(m.get("labels").has("zone")).isFalse();
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
            assertThat(cli(service, "enrollment-token", "revoke", tokenId).code())
                    .isZero();
            assertThat(cli(service, "enrollment-token", "list").out()).containsPattern("rack-9\\s+revoked");

            // The audit log tells what the CLI did.
            assertThat(cli(service, "audit", "--limit", "100").out()).contains("enrollment-token");

            // Removing a machine asks first; a script must say --yes.
            Run noYes = cli(service, "remove-machine", "cli-host");
            assertThat(noYes.code()).isEqualTo(2);
            assertThat(noYes.err()).contains("needs --yes when not run from a terminal");
            assertThat(cli(service, "remove-machine", "--yes", "cli-host").code())
                    .isZero();
            assertThat(Project.get(service.url + "/api/v1/machines/" + id, service.token)
                            .status())
                    .isEqualTo(404);

            // Completion for bash (and zsh through bashcompinit).
            Run bash = cli(service, "completion", "bash");
            assertThat(bash.code()).isZero();
            assertThat(bash.out())
                    .contains("complete -F")
                    .contains("list-machines")
                    .contains("remove-machine");
            assertThat(cli(service, "completion", "tcsh").code()).isEqualTo(2);
        }
    }
}
