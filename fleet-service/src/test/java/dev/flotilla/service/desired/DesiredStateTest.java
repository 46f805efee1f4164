package dev.flotilla.service.desired;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.flotilla.api.protocol.DesiredState;
import dev.flotilla.api.protocol.DesiredStateResult;
import dev.flotilla.api.protocol.DesiredUnit;
import dev.flotilla.api.protocol.Frame;
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
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/** Desired state per machine: validated, generation by generation, told only to its machine. */
@QuarkusTest
@QuarkusTestResource(TestDatabase.class)
class DesiredStateTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String UNIT = "[Unit]\nDescription=x\n[Service]\nExecStart=/bin/sleep 100\n";

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
    void shouldTellOnlyTheMachineWhoseDesiredStateChanged() throws Exception {
        try (TestAgent agentA = greeted(credA, a);
                TestAgent agentB = greeted(credB, b)) {
            assertThat(initial(agentA).generation()).isZero();
            assertThat(initial(agentB).generation()).isZero();

            as(admin)
                    .body(Map.of("content", UNIT, "target", "launched"))
                    .put("/api/v1/machines/" + a + "/desired-units/web.service")
                    .then()
                    .statusCode(200)
                    .body("generation", is(1))
                    .body("converged", is(false));
            Frame pushed = agentA.next(WAIT);
            assertThat(pushed)
                    .isEqualTo(new DesiredState(1, List.of(new DesiredUnit("web.service", UNIT, "launched"))));
            assertThat(agentB.received.poll(1, TimeUnit.SECONDS))
                    .as("machine b is not told")
                    .isNull();

            agentA.send(
                    new DesiredStateResult(1, List.of(new DesiredStateResult.UnitResult("web.service", true, null))));
            org.awaitility.Awaitility.await()
                    .atMost(WAIT)
                    .untilAsserted(() -> as(admin)
                            .get("/api/v1/machines/" + a + "/desired-units")
                            .then()
                            .body("appliedGeneration", is(1))
                            .body("converged", is(true))
                            .body("units[0].ok", is(true)));

            as(admin)
                    .delete("/api/v1/machines/" + a + "/desired-units/web.service")
                    .then()
                    .statusCode(200)
                    .body("generation", is(2));
            assertThat(agentA.next(WAIT)).isEqualTo(new DesiredState(2, List.of()));
        }
    }

    @Test
    void shouldSendTheDesiredStateRightAfterWelcome() throws Exception {
        as(admin)
                .body(Map.of("content", UNIT))
                .put("/api/v1/machines/" + a + "/desired-units/db.service")
                .then()
                .statusCode(200);
        try (TestAgent agent = greeted(credA, a)) {
            DesiredState first = initial(agent);
            assertThat(first.generation()).isEqualTo(1);
            assertThat(first.units()).extracting(DesiredUnit::name).containsExactly("db.service");
            assertThat(first.units().get(0).target()).isEqualTo("launched");
        }
    }

    @Test
    void shouldRefuseBadNamesContentAndTargetsWithAProblem() {
        String url = "/api/v1/machines/" + a + "/desired-units/";
        as(admin)
                .body(Map.of("content", UNIT))
                .put(url + "no-suffix")
                .then()
                .statusCode(400)
                .contentType("application/problem+json");
        as(admin)
                .body(Map.of("content", UNIT))
                .put(url + "..%2Fx.service")
                .then()
                .statusCode(org.hamcrest.Matchers.oneOf(400, 404));
        as(admin)
                .body(Map.of("content", UNIT, "target", "exploded"))
                .put(url + "x.service")
                .then()
                .statusCode(400)
                .body("detail", containsString("target"));
        as(admin)
                .body(Map.of("content", "ExecStart=/bin/sh\n"))
                .put(url + "x.service")
                .then()
                .statusCode(400)
                .body("detail", containsString("before any [Section]"));
        as(admin)
                .body(Map.of("content", "[Service]\n" + "#".repeat(70_000)))
                .put(url + "x.service")
                .then()
                .statusCode(400)
                .body("detail", containsString("exceed"));
        as(admin)
                .body(Map.of("content", UNIT))
                .put("/api/v1/machines/" + Fixtures.newMachineId() + "/desired-units/x.service")
                .then()
                .statusCode(404);
        as(tokens.api(Role.VIEWER))
                .body(Map.of("content", UNIT))
                .put(url + "x.service")
                .then()
                .statusCode(403);
        as(admin).get(url).then().statusCode(200).body("generation", is(0)).body("units.size()", is(0));
    }

    private TestAgent greeted(String credential, String machineId) throws Exception {
        return TestAgent.greeted(vertx, base, credential, machineId);
    }

    private static DesiredState initial(TestAgent agent) {
        return agent.initialDesiredState;
    }
}
