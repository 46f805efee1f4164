package dev.flotilla.service.agent;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.flotilla.api.protocol.Frame;
import dev.flotilla.api.protocol.UnitQuery;
import dev.flotilla.api.protocol.UnitQueryReply;
import dev.flotilla.service.Fixtures;
import dev.flotilla.service.TestAgent;
import dev.flotilla.service.TestDatabase;
import dev.flotilla.service.TestTokens;
import dev.flotilla.service.tenant.Role;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.core.Vertx;

import static dev.flotilla.service.Api.as;
import static org.assertj.core.api.Assertions.assertThat;

/** Questions about a unit go to its machine's agent and only that agent's answer counts. */
@QuarkusTest
@QuarkusTestResource(TestDatabase.class)
class UnitQueryTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TestHTTPResource("/")
    URI base;

    @Inject
    Vertx vertx;

    @Inject
    TestTokens tokens;

    String admin;
    String a;
    String b;
    String credA;
    String credB;

    @BeforeEach
    void enroll() {
        admin = tokens.api(Role.ADMIN);
        String enroll = tokens.enrollment(2);
        a = Fixtures.newMachineId();
        b = Fixtures.newMachineId();
        credA = Fixtures.enroll(enroll, a, "a");
        credB = Fixtures.enroll(enroll, b, "b");
    }

    @Test
    void shouldRelayTheJournalFromTheMachineAskedAndIgnoreOthers() throws Exception {
        try (TestAgent agentA = greeted(credA, a);
                TestAgent agentB = greeted(credB, b)) {
            CompletableFuture<Response> call = CompletableFuture.supplyAsync(
                    () -> as(admin).get("/api/v1/machines/" + a + "/units/web.service/journal?lines=2"));
            Frame asked = agentA.next(WAIT);
            assertThat(asked).isInstanceOf(UnitQuery.class);
            UnitQuery q = (UnitQuery) asked;
            assertThat(q.unit()).isEqualTo("web.service");
            assertThat(q.what()).isEqualTo("journal");
            assertThat(q.lines()).isEqualTo(2);
            // Another machine cannot answer in its place, even with the right request id.
            agentB.send(new UnitQueryReply(q.requestId(), List.of(entry("forged")), null, null));
            agentA.send(new UnitQueryReply(q.requestId(), List.of(entry("started"), entry("listening")), null, null));
            Response r = call.get();
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.jsonPath().getList("journal.message")).containsExactly("started", "listening");
        }
    }

    @Test
    void shouldExplainWhenTheAgentIsAwayOrCannotAnswer() throws Exception {
        as(admin)
                .get("/api/v1/machines/" + a + "/units/web.service/status")
                .then()
                .statusCode(409)
                .contentType("application/problem+json");
        as(admin)
                .get("/api/v1/machines/" + a + "/units/..%2Fx.service/status")
                .then()
                .statusCode(org.hamcrest.Matchers.oneOf(400, 404));
        as(admin)
                .get("/api/v1/machines/" + a + "/units/web.service/journal?lines=0")
                .then()
                .statusCode(400);
        try (TestAgent agentA = greeted(credA, a)) {
            CompletableFuture<Response> call = CompletableFuture.supplyAsync(
                    () -> as(admin).get("/api/v1/machines/" + a + "/units/ghost.service/status"));
            UnitQuery q = (UnitQuery) agentA.next(WAIT);
            agentA.send(new UnitQueryReply(q.requestId(), null, null, "systemd does not have ghost.service loaded"));
            Response r = call.get();
            assertThat(r.statusCode()).isEqualTo(502);
            assertThat(r.jsonPath().getString("detail")).contains("ghost.service");
        }
    }

    private static UnitQueryReply.JournalEntry entry(String message) {
        return new UnitQueryReply.JournalEntry(Instant.parse("2026-11-29T10:00:00Z"), 6, "42", message);
    }

    private TestAgent greeted(String credential, String machineId) throws Exception {
        return TestAgent.greeted(vertx, base, credential, machineId);
    }
}
