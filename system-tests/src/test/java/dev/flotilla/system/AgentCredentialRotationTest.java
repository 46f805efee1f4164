package dev.flotilla.system;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Credential rotation with the packaged agent: asked for through one replica while the agent is
 * connected to another (which hears it by NOTIFY), the agent saves the new credential and confirms
 * it; after a restart it connects with the new one, and the old one is refused.
 */
class AgentCredentialRotationTest {
    @Test
    void shouldRotateTheAgentsCredentialOverItsConnection() throws Exception {
        try (RunningService service = new RunningService("rotation")) {
            RunningService.Replica replica = service.startReplica("replica");
            Process agent = service.startAgent(service.newEnrollmentToken(1), "agent.log", replica.url());
            service.awaitPresence("online");
            Path file = service.work.resolve("agent-state/credential.json");
            String before = Files.readString(file);
            String path = service.url + "/api/v1/machines/" + service.machineId + "/credential";

            Project.Reply asked = Project.post(path + "/rotate", service.token, "");
            assertThat(asked.status()).as(asked.body().toString()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                Project.Reply r = Project.get(path, service.token);
                assertThat(r.body().get("state").asText()).isEqualTo("current");
                assertThat(r.body().get("rotatedAt").isNull()).isFalse();
            });
            String after = Files.readString(file);
            assertThat(after).isNotEqualTo(before).contains(service.machineId);
            assertThat(Files.getPosixFilePermissions(file))
                    .containsExactlyInAnyOrder(
                            java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
            assertThat(Files.readString(service.work.resolve("agent.log")))
                    .contains("issued this machine a new credential");

            // A restart: the agent connects with the new credential (no enrollment token given).
            agent.destroy();
            assertThat(agent.waitFor(20, TimeUnit.SECONDS)).isTrue();
            service.awaitPresence("offline");
            service.startAgent(null, "agent-2.log", replica.url());
            service.awaitPresence("online");

            // The old credential is refused.
            String old = Project.JSON.readTree(before).get("credential").asText();
            var client = java.net.http.HttpClient.newHttpClient();
            var closed = new java.util.concurrent.CompletableFuture<Integer>();
            client.newWebSocketBuilder()
                    .header("Authorization", "Bearer " + old)
                    .buildAsync(
                            java.net.URI.create(service.url.replace("http", "ws") + "/agent/v1/connect"),
                            new java.net.http.WebSocket.Listener() {
                                @Override
                                public java.util.concurrent.CompletionStage<?> onClose(
                                        java.net.http.WebSocket ws, int code, String reason) {
                                    closed.complete(code);
                                    return null;
                                }
                            })
                    .join();
            assertThat(closed.get(10, TimeUnit.SECONDS)).isEqualTo(4401);
        }
    }
}
