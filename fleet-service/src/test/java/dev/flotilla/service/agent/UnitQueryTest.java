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

    @Test
    void shouldLetViewersAskOnlyAboutUnitsFlotillaRunsAndAuditEveryQuestion() throws Exception {
        String viewer = tokens.api(Role.VIEWER);
        String operator = tokens.api(Role.OPERATOR);
        // A unit given to machine a by hand: Flotilla runs it there.
        as(operator)
                .contentType("application/json")
                .body(java.util.Map.of("content", "[Service]\nExecStart=/bin/sleep 600\n", "target", "launched"))
                .put("/api/v1/machines/" + a + "/desired-units/app.service")
                .then()
                .statusCode(org.hamcrest.Matchers.oneOf(200, 201));
        // sshd's journal may hold what people typed: not for viewers; refused before the agent is asked.
        as(viewer)
                .get("/api/v1/machines/" + a + "/units/sshd.service/journal")
                .then()
                .statusCode(403)
                .contentType("application/problem+json")
                .body("detail", org.hamcrest.Matchers.containsString("units Flotilla runs"));
        try (TestAgent agentA = greeted(credA, a)) {
            for (String[] ask : new String[][] {{viewer, "app.service"}, {operator, "sshd.service"}}) {
                CompletableFuture<Response> call = CompletableFuture.supplyAsync(
                        () -> as(ask[0]).get("/api/v1/machines/" + a + "/units/" + ask[1] + "/journal"));
                Frame asked = agentA.next(WAIT);
                while (!(asked instanceof UnitQuery)) {
                    asked = agentA.next(WAIT); // the desired state sent when it connected
                }
                UnitQuery q = (UnitQuery) asked;
                assertThat(q.unit()).isEqualTo(ask[1]);
                agentA.send(new UnitQueryReply(q.requestId(), List.of(entry("ok")), null, null));
                assertThat(call.get().statusCode()).isEqualTo(200);
            }
        }
        // Every question is in the audit log, the refused one too.
        Response audit = as(admin).get("/api/v1/audit?action=unit.journal&limit=100");
        assertThat(audit.statusCode()).isEqualTo(200);
        List<String> targets = audit.jsonPath().getList("items.targetId");
        assertThat(targets).contains(a + "/sshd.service", a + "/app.service");
    }

    private static UnitQueryReply.JournalEntry entry(String message) {
        return new UnitQueryReply.JournalEntry(Instant.parse("2026-11-29T10:00:00Z"), 6, "42", message);
    }

    private TestAgent greeted(String credential, String machineId) throws Exception {
        return TestAgent.greeted(vertx, base, credential, machineId);
    }
}
