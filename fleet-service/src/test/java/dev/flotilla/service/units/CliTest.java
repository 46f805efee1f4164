package dev.flotilla.service.units;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.flotilla.cli.Cli;
import dev.flotilla.service.Fixtures;
import dev.flotilla.service.TestDatabase;
import dev.flotilla.service.TestTokens;
import dev.flotilla.service.tenant.Role;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import static dev.flotilla.service.Api.as;
import static org.assertj.core.api.Assertions.assertThat;

/** The flotilla CLI against this service: fleetctl's commands, their output and exit codes. */
@QuarkusTest
@QuarkusTestResource(TestDatabase.class)
class CliTest {
    @TestHTTPResource("/")
    URI base;

    @Inject
    TestTokens tokens;

    @TempDir
    Path dir;

    String token;
    String tag;

    record Run(int code, String out, String err) {}

    @BeforeEach
    void setUp() {
        token = tokens.api(Role.OPERATOR);
        tag = UUID.randomUUID().toString().substring(0, 8);
    }

    private Run flotilla(String... args) {
        return flotillaWith(token, args);
    }

    private Run flotillaWith(String withToken, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.execute(
                args,
                Map.of("FLOTILLA_URL", base.toString(), "FLOTILLA_TOKEN", withToken),
                new PrintWriter(out),
                new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void shouldLeaveAnExistingUnitAloneOnSubmitAndRefuseToStopAnInactiveOne() throws Exception {
        String name = "keep-" + tag + ".service";
        Path file = dir.resolve(name);
        Files.writeString(file, "[Service]\nExecStart=/bin/sleep 600\n[X-Fleet]\nMachineMetadata=pool=" + tag + "\n");
        Run stopInactive;
        assertThat(flotilla("submit", file.toString()).code()).isZero();
        stopInactive = flotilla("stop", name);
        assertThat(stopInactive.code()).isEqualTo(1);
        assertThat(stopInactive.err()).contains("unable to stop unit " + name + " in state inactive");
        assertThat(flotilla("-o", "json", "status", name).out()).contains("\"target\" : \"inactive\"");

        assertThat(flotilla("start", name).code()).isZero();
        Run again = flotilla("submit", file.toString());
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(again.err()).contains("already exists (target launched); left as it is");
        assertThat(flotilla("-o", "json", "status", name).out()).contains("\"target\" : \"launched\"");
        assertThat(flotilla("submit", "no-such-" + tag + ".service").code()).isEqualTo(3);
        assertThat(flotilla("destroy", "--yes", name).code()).isZero();
    }

    @Test
    void shouldTakeGlobalOptionsBeforeOrAfterTheCommandAndRefuseAnUnknownFormat() throws Exception {
        for (String[] args : List.of(
                new String[] {"list-machines", "-o", "json"},
                new String[] {"-o", "json", "list-machines"},
                new String[] {"list-machines", "--output=json"},
                new String[] {"--output", "json", "list-machines"})) {
            Run r = flotilla(args);
            assertThat(r.code()).as(String.join(" ", args) + ": " + r.err()).isZero();
            assertThat(new ObjectMapper().readTree(r.out()).isContainerNode())
                    .as(String.join(" ", args))
                    .isTrue();
        }
        Run url = flotillaWith(token, "list-machines", "--url", base.toString());
        assertThat(url.code()).as(url.err()).isZero();
        Run bad = flotilla("list-machines", "-o", "xml");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("-o must be one of table, wide, json, yaml, name, not 'xml'");

        // A machine, for the other formats.
        String id = Fixtures.newMachineId();
        Fixtures.enroll(tokens.enrollment(1), id, "fmt-" + tag);
        JsonNode yaml = new com.fasterxml.jackson.dataformat.yaml.YAMLMapper()
                .readTree(flotilla("-o", "yaml", "list-machines").out());
        assertThat(yaml.isArray()).isTrue();
        assertThat(yaml.findValuesAsText("id")).contains(id);
        assertThat(flotilla("-o", "name", "list-machines").out().lines()).contains(id);
        assertThat(flotilla("list-machines", "-o", "wide").out()).contains(id).startsWith("MACHINE");
        Run noHeaders = flotilla("list-machines", "--no-headers");
        assertThat(noHeaders.out()).doesNotContain("MACHINE").contains(id.substring(0, 8) + "...");
    }

    @Test
    void shouldPrintTheInstallCommandsWithAFreshTokenThatEnrollsAHost() {
        String admin = tokens.api(Role.ADMIN);
        Run deb = flotillaWith(admin, "install-agent", "--uses", "2", "--name", "rack-" + tag);
        assertThat(deb.code()).as(deb.err()).isZero();
        assertThat(deb.out()).contains("sudo dpkg -i flotilla-agent_").contains("sudo systemctl start flotilla-agent");
        assertThat(deb.err()).contains("rack-" + tag).contains("2 use(s)");
        String secret = deb.out().replaceAll("(?s).*--token (fle_[A-Za-z0-9_-]+).*", "$1");
        assertThat(secret).startsWith("fle_");
        // The printed token is real: a host enrolls with it.
        Fixtures.enroll(secret, Fixtures.newMachineId(), "from-install-agent");

        Run fcos = flotillaWith(admin, "install-agent", "--way", "fcos");
        assertThat(fcos.out()).contains("variant: fcos").contains("FLOTILLA_ENROLL_TOKEN=fle_");
        assertThat(flotillaWith(admin, "install-agent", "--way", "all").out())
                .contains("variant: flatcar")
                .contains("rpm -i")
                .contains("java -jar flotilla-agent.jar");

        Run bad = flotillaWith(admin, "install-agent", "--way", "windows");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("--way must be one of deb, rpm, fcos, flatcar, container, jar, all");
        Run badTtl = flotillaWith(admin, "install-agent", "--ttl", "forever");
        assertThat(badTtl.code()).isEqualTo(1);
        // An operator may not make enrollment tokens: refused by the service, said plainly.
        Run operator = flotilla("install-agent");
        assertThat(operator.code()).isEqualTo(1);
        assertThat(operator.err()).startsWith("flotilla: ");
    }

    @Test
    void shouldSubmitStartStopAndDestroyAUnitLikeFleetctl() throws Exception {
        String name = "cli-" + tag + ".service";
        Path file = dir.resolve(name);
        Files.writeString(file, "[Service]\nExecStart=/bin/sleep 600\n[X-Fleet]\nMachineMetadata=pool=" + tag + "\n");

        Run submit = flotilla("submit", file.toString());
        assertThat(submit.code()).as(submit.err()).isZero();
        assertThat(submit.err()).contains("Unit " + name + " submitted");
        assertThat(flotilla("list-unit-files").out()).containsPattern(name + "\\s+[0-9a-f]{7}\\s+inactive");

        assertThat(flotilla("start", name).code()).isZero();
        Run status = flotilla("status", name);
        assertThat(status.out()).contains("target launched");
        Run json = flotilla("-o", "json", "list-unit-files");
        JsonNode units = new ObjectMapper().readTree(json.out());
        assertThat(units.findValuesAsText("name")).contains(name);
        assertThat(flotilla("cat", name).out()).contains("MachineMetadata=pool=" + tag);

        // No machine has that pool: waiting for it to run times out, with progress shown.
        Run wait = flotilla("start", "--wait", "--timeout", "2", name);
        assertThat(wait.code()).isEqualTo(4);
        assertThat(wait.err()).contains(name + ": 0/0 machines active");

        assertThat(flotilla("stop", name).err()).contains("stopped");
        assertThat(as(token).get("/api/v1/units/" + name).jsonPath().getString("target"))
                .isEqualTo("loaded");
        assertThat(flotilla("unload", name).code()).isZero();

        // Destroying asks first; without a terminal it needs --yes.
        Run refused = flotilla("destroy", name);
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).contains("--yes");
        assertThat(flotilla("destroy", "--yes", name).code()).isZero();
        Run gone = flotilla("cat", name);
        assertThat(gone.code()).isEqualTo(3);
        assertThat(gone.err()).contains("404");
    }

    @Test
    void shouldListMachinesBySelector() {
        String id = Fixtures.newMachineId();
        Fixtures.enroll(tokens.enrollment(1), id, "cli-host-" + tag);
        as(token)
                .contentType("application/json")
                .body(Map.of("team", "t" + tag))
                .patch("/api/v1/machines/" + id + "/labels")
                .then()
                .statusCode(200);
        Run run = flotilla("list-machines", "-l", "team=t" + tag, "--full");
        assertThat(run.code()).isZero();
        assertThat(run.out())
                .startsWith("MACHINE")
                .contains(id)
                .contains("cli-host-" + tag)
                .contains("team=t" + tag);
        assertThat(run.out().lines()).hasSize(2);
    }

    @Test
    void shouldExplainRefusalsWithMeaningfulExitCodes() throws Exception {
        Path bad = dir.resolve("bad.service");
        Files.writeString(bad, "[Service]\nExecStart=/bin/true\n[X-Fleet]\nGlobal=true\nMachineID=abc\n");
        Path good = dir.resolve("good.service");
        Files.writeString(good, "[Service]\nExecStart=/bin/true\n");
        Run verify = flotilla("verify", good.toString(), bad.toString());
        assertThat(verify.code()).isEqualTo(1);
        assertThat(verify.out())
                .contains("good.service: ok")
                .contains("bad.service: MachineID cannot be used with Global");

        Run refused = flotilla("submit", bad.toString());
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).contains("HTTP 400").contains("MachineID cannot be used with Global");

        Run unauthorized = flotillaWith("flt_not-a-token", "list-units");
        assertThat(unauthorized.code()).isEqualTo(1);
        assertThat(unauthorized.err()).contains("401");

        Run viewer = flotillaWith(tokens.api(Role.VIEWER), "submit", good.toString());
        assertThat(viewer.code()).isEqualTo(1);
        assertThat(viewer.err()).contains("403");

        assertThat(flotilla("no-such-command").code()).isEqualTo(2);
        for (String command : new String[] {"list-machines", "start", "destroy", "journal", "verify"}) {
            Run help = flotilla(command, "--help");
            assertThat(help.code()).isZero();
            assertThat(help.out()).startsWith("Usage: flotilla " + command);
        }
    }
}
