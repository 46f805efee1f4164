package dev.flotilla.system;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged service and the packaged agent, as real processes on the machine's PostgreSQL: the
 * machine appears online, goes offline when the agent is killed, and comes back with the same
 * identity when the agent restarts; a removed machine's agent stops for good.
 */
class ServiceAndAgentProcessTest {
    private RunningService service;
    private Path work;
    private String url;
    private String token;
    private String machineId;

    @BeforeEach
    void startService() throws Exception {
        service = new RunningService("process");
        work = service.work;
        url = service.url;
        token = service.token;
        machineId = service.machineId;
    }

    @AfterEach
    void stopAll() throws Exception {
        service.close();
    }

    @Test
    void shouldShowTheMachineOnlineOfflineAndOnlineAgainWithTheSameIdentity() throws Exception {
        JsonNode created = Project.post(url + "/api/v1/enrollment-tokens", token, "{\"name\":\"it\",\"maxUses\":1}")
                .body();
        String enroll = created.get("secret").asText();

        Process agent = startAgent(enroll, "first-agent.log");
        awaitPresence("online");
        JsonNode machine =
                Project.get(url + "/api/v1/machines/" + machineId, token).body();
        assertThat(machine.get("labels").get("role").asText()).isEqualTo("system-test");
        assertThat(machine.get("facts").get("kernel").asText()).isNotBlank();
        assertThat(machine.get("facts").get("cpus").asInt()).isPositive();
        assertThat(Files.exists(work.resolve("agent-state/credential.json"))).isTrue();

        agent.destroyForcibly(); // SIGKILL: no goodbye
        agent.waitFor(10, TimeUnit.SECONDS);
        awaitPresence("offline");

        // Restarted without the (single-use, now spent) enrollment token: the kept credential is enough.
        startAgent(null, "second-agent.log");
        awaitPresence("online");
        JsonNode page = Project.get(url + "/api/v1/machines", token).body();
        assertThat(page.get("items")).hasSize(1);
        assertThat(page.get("items").get(0).get("id").asText()).isEqualTo(machineId);

        List<String> transitions = new ArrayList<>();
        for (JsonNode e : Project.get(url + "/api/v1/machines/" + machineId + "/events", token)
                .body()
                .get("items")) {
            if (e.get("kind").asText().equals("presence")) {
                transitions.add(e.get("toPresence").asText());
            }
        }
        assertThat(transitions).containsExactly("online", "offline", "online");
        JsonNode tokens = Project.get(url + "/api/v1/enrollment-tokens", token).body();
        assertThat(tokens.get(0).get("uses").asInt()).isEqualTo(1);
    }

    @Test
    void shouldStopTheAgentOfARemovedMachineForGood() throws Exception {
        String enroll = Project.post(url + "/api/v1/enrollment-tokens", token, "{\"name\":\"it\",\"maxUses\":5}")
                .body()
                .get("secret")
                .asText();
        Process agent = startAgent(enroll, "agent.log");
        awaitPresence("online");
        assertThat(Project.delete(url + "/api/v1/machines/" + machineId, token).status())
                .isEqualTo(204);
        assertThat(agent.waitFor(10, TimeUnit.SECONDS))
                .as("agent exits once its machine is removed")
                .isTrue();
        assertThat(agent.exitValue()).isEqualTo(78);
        assertThat(Files.readString(work.resolve("agent.log"))).contains("refused this machine's credential");
        assertThat(Project.get(url + "/api/v1/machines/" + machineId, token).status())
                .isEqualTo(404);
    }

    @Test
    void shouldRefuseToStartAnAgentWithAnExpiredOrUnknownEnrollmentToken() throws Exception {
        Process agent = startAgent("fle_unknown", "agent.log");
        assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(agent.exitValue()).isEqualTo(78);
        assertThat(Files.readString(work.resolve("agent.log"))).contains("enrollment refused (401)");
        assertThat(Files.exists(work.resolve("agent-state/credential.json"))).isFalse();
    }

    private Process startAgent(String enrollToken, String log) throws Exception {
        return service.startAgent(enrollToken, log);
    }

    private void awaitPresence(String presence) {
        service.awaitPresence(presence);
    }
}
