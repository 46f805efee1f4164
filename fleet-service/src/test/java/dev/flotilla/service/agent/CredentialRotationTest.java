package dev.flotilla.service.agent;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.flotilla.api.protocol.CredentialSaved;
import dev.flotilla.api.protocol.Frame;
import dev.flotilla.api.protocol.Hello;
import dev.flotilla.api.protocol.NewCredential;
import dev.flotilla.api.protocol.Protocol;
import dev.flotilla.service.Fixtures;
import dev.flotilla.service.TestAgent;
import dev.flotilla.service.TestDatabase;
import dev.flotilla.service.TestTokens;
import dev.flotilla.service.tenant.Role;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;

import static dev.flotilla.service.Api.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;

/**
 * Credential rotation: an admin asks, the service issues a new credential over the agent's
 * session, the agent confirms, and only then does the old one stop working. Nothing is lost in
 * between: an agent that saved the new one but whose confirmation was lost connects with it.
 */
@QuarkusTest
@QuarkusTestResource(TestDatabase.class)
class CredentialRotationTest {
    @TestHTTPResource("/")
    URI base;

    @Inject
    Vertx vertx;

    @Inject
    TestTokens tokens;

    String admin;
    String machineId;
    String credential;

    @BeforeEach
    void enroll() {
        admin = tokens.api(Role.ADMIN);
        machineId = Fixtures.newMachineId();
        credential = Fixtures.enroll(tokens.enrollment(1), machineId, "rot-" + machineId.substring(0, 6));
    }

    private String rotationPath() {
        return "/api/v1/machines/" + machineId + "/credential";
    }

    private static NewCredential awaitNewCredential(TestAgent agent) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            Frame f = agent.next(Duration.ofSeconds(15));
            if (f instanceof NewCredential c) {
                return c;
            }
        }
        throw new AssertionError("no new credential within 15 s");
    }

    @Test
    void shouldIssueANewCredentialOverTheSessionAndRetireTheOldOneWhenTheAgentConfirms() throws Exception {
        try (TestAgent agent = TestAgent.greeted(vertx, base, credential, machineId)) {
            as(admin).get(rotationPath()).then().statusCode(200).body("state", is("current"));
            as(admin)
                    .post(rotationPath() + "/rotate")
                    .then()
                    .statusCode(202)
                    .body("state", is("requested"))
                    .body("requestedAt", notNullValue());
            NewCredential fresh = awaitNewCredential(agent);
            assertThat(fresh.credential()).startsWith("flm_").isNotEqualTo(credential);
            as(admin).get(rotationPath()).then().statusCode(200).body("state", is("issued"));

            // Not confirmed yet: the old credential still opens a session.
            try (TestAgent old = TestAgent.connect(vertx, base, credential)) {
                old.send(TestAgent.hello(machineId, "rot", Map.of()));
                assertThat(old.next(Duration.ofSeconds(10))).isInstanceOf(dev.flotilla.api.protocol.Welcome.class);
            }
        }
        // That second session replaced the first; confirm from a fresh one with the old credential.
        try (TestAgent agent = TestAgent.greeted(vertx, base, credential, machineId)) {
            NewCredential fresh = awaitNewCredential(agent); // issued again at hello: still pending
            agent.send(new CredentialSaved());
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> as(admin)
                            .get(rotationPath())
                            .then()
                            .statusCode(200)
                            .body("state", is("current"))
                            .body("rotatedAt", notNullValue()));
            try (TestAgent old = TestAgent.connect(vertx, base, credential)) {
                assertThat(old.awaitClose(Duration.ofSeconds(10)).code()).isEqualTo(Protocol.CLOSE_UNAUTHORIZED);
            }
            try (TestAgent renewed = TestAgent.greeted(vertx, base, fresh.credential(), machineId)) {
                assertThat(renewed.initialDesiredState).isNotNull();
            }
        }
        as(admin)
                .get("/api/v1/audit?action=machine.credential-rotated&targetId=" + machineId)
                .then()
                .statusCode(200)
                .body("items.size()", is(1))
                .body("items[0].actor", is("agent:" + machineId));
    }

    @Test
    void shouldTakeAConnectionWithTheNewCredentialAsItsConfirmation() throws Exception {
        String fresh;
        try (TestAgent agent = TestAgent.greeted(vertx, base, credential, machineId)) {
            as(admin).post(rotationPath() + "/rotate").then().statusCode(202);
            fresh = awaitNewCredential(agent).credential();
            // The agent saved it and crashed before it could say so.
        }
        try (TestAgent renewed = TestAgent.greeted(vertx, base, fresh, machineId)) {
            as(admin).get(rotationPath()).then().statusCode(200).body("state", is("current"));
        }
        try (TestAgent old = TestAgent.connect(vertx, base, credential)) {
            assertThat(old.awaitClose(Duration.ofSeconds(10)).code()).isEqualTo(Protocol.CLOSE_UNAUTHORIZED);
        }
    }

    @Test
    void shouldWaitForAnAgentThatSpeaksProtocolTwoAndLetOnlyAdminsAsk() throws Exception {
        // A protocol-1 agent would close on a frame it does not know: it is not sent one.
        try (TestAgent agent = TestAgent.connect(vertx, base, credential)) {
            Hello h = TestAgent.hello(machineId, "old-agent", Map.of());
            agent.send(new Hello(1, h.machineId(), h.hostname(), h.facts(), h.labels(), "0.0.1"));
            // Ask only once the service has taken the hello (it is sent asynchronously): the point
            // is what happens to a session known to speak protocol 1.
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(15))
                    .until(() -> "old-agent"
                            .equals(as(admin)
                                    .get("/api/v1/machines/" + machineId)
                                    .then()
                                    .extract()
                                    .path("hostname")));
            as(admin).post(rotationPath() + "/rotate").then().statusCode(202);
            Thread.sleep(2000);
            while (!agent.received.isEmpty()) {
                assertThat(agent.next(Duration.ofSeconds(1))).isNotInstanceOf(NewCredential.class);
            }
            as(admin).get(rotationPath()).then().statusCode(200).body("state", is("requested"));
        }
        as(tokens.api(Role.OPERATOR)).post(rotationPath() + "/rotate").then().statusCode(403);
        as(admin)
                .post("/api/v1/machines/" + Fixtures.newMachineId() + "/credential/rotate")
                .then()
                .statusCode(404)
                .contentType("application/problem+json");
        // An unasked confirmation changes nothing.
        try (TestAgent agent = TestAgent.greeted(vertx, base, credential, machineId)) {
            awaitNewCredential(agent); // still requested: issued now that it speaks protocol 2
        }
        try (TestAgent agent = TestAgent.greeted(vertx, base, credential, machineId)) {
            agent.send(new CredentialSaved());
        }
    }
}
