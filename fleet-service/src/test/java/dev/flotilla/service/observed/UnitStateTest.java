package dev.flotilla.service.observed;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.flotilla.api.protocol.Ack;
import dev.flotilla.api.protocol.Protocol;
import dev.flotilla.api.protocol.StateChange;
import dev.flotilla.api.protocol.StateChanges;
import dev.flotilla.api.protocol.StateSnapshot;
import dev.flotilla.api.protocol.UnitState;
import dev.flotilla.service.Fixtures;
import dev.flotilla.service.TestAgent;
import dev.flotilla.service.TestDatabase;
import dev.flotilla.service.TestTokens;
import dev.flotilla.service.tenant.Role;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.core.Vertx;

import static dev.flotilla.service.Api.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.is;

/** Unit state from agents: stored once, in order, with the agent's times; bad frames store nothing. */
@QuarkusTest
@QuarkusTestResource(TestDatabase.class)
class UnitStateTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String SHA1 = "0123456789abcdef0123456789abcdef01234567";

    @TestHTTPResource("/")
    URI base;

    @Inject
    Vertx vertx;

    @Inject
    TestTokens tokens;

    String admin;
    String machineId;
    String credential;
    final Instant t0 = Instant.parse("2026-11-20T10:00:00Z");

    @BeforeEach
    void enroll() {
        admin = tokens.api(Role.ADMIN);
        machineId = Fixtures.newMachineId();
        credential = Fixtures.enroll(tokens.enrollment(1), machineId, "units-" + machineId.substring(0, 6));
    }

    @Test
    void shouldStoreTransitionsOnceWithTheAgentsTimesAndAcknowledgeThem() throws Exception {
        List<StateChange> changes = List.of(
                StateChange.of(1, t0, unit("nginx.service", "activating", "start")),
                StateChange.of(2, t0.plusSeconds(1), unit("nginx.service", "active", "running")),
                StateChange.of(3, t0.plusSeconds(2), unit("backup.timer", "active", "waiting")));
        try (TestAgent agent = greeted()) {
            agent.send(new StateChanges(changes));
            assertThat(agent.next(WAIT)).isEqualTo(new Ack(3));
            // A reconnecting agent resends what it had not seen acknowledged: stored once.
            agent.send(new StateChanges(changes));
            assertThat(agent.next(WAIT)).isEqualTo(new Ack(3));
        }
        JsonPath units = as(admin)
                .get("/api/v1/machines/" + machineId + "/units")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(units.getList("items.name")).containsExactly("backup.timer", "nginx.service");
        assertThat(units.getString("items[1].active")).isEqualTo("active");
        assertThat(units.getString("items[1].sub")).isEqualTo("running");
        assertThat(units.getString("items[1].hash")).isEqualTo(SHA1);

        JsonPath events = as(admin)
                .get("/api/v1/machines/" + machineId + "/unit-events")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(events.getList("items.seq", Integer.class)).containsExactly(3, 2, 1);
        assertThat(events.getString("items[2].observedAt")).isEqualTo("2026-11-20T10:00:00Z");
        as(admin)
                .get("/api/v1/machines/" + machineId + "/units/nginx.service/history")
                .then()
                .statusCode(200)
                .body("items.sub", org.hamcrest.Matchers.contains("running", "start"));
    }

    @Test
    void shouldNotLetAnOlderReportOverwriteANewerState() throws Exception {
        try (TestAgent agent = greeted()) {
            agent.send(new StateChanges(List.of(StateChange.of(10, t0, unit("web.service", "failed", "failed")))));
            assertThat(agent.next(WAIT)).isEqualTo(new Ack(10));
            agent.send(new StateChanges(
                    List.of(StateChange.of(5, t0.minusSeconds(60), unit("web.service", "active", "running")))));
            // Acknowledged (it is stored, in the history), but it does not overwrite the newer state.
            assertThat(agent.next(WAIT)).isEqualTo(new Ack(5));
        }
        as(admin).get("/api/v1/machines/" + machineId + "/units").then().body("items[0].active", is("failed"));
        assertThat(as(admin)
                        .get("/api/v1/machines/" + machineId + "/unit-events")
                        .jsonPath()
                        .getList("items.seq", Integer.class))
                .containsExactly(10, 5);
    }

    @Test
    void shouldReplaceTheUnitListWithASnapshotAndKeepGapsInHistory() throws Exception {
        try (TestAgent agent = greeted()) {
            agent.send(new StateChanges(List.of(
                    StateChange.of(1, t0, unit("old.service", "active", "running")),
                    StateChange.gap(2, t0.plusSeconds(5), 42),
                    StateChange.removal(3, t0.plusSeconds(6), unit("gone.service", "inactive", "dead")))));
            assertThat(agent.next(WAIT)).isEqualTo(new Ack(3));
            agent.send(new StateSnapshot(4, t0.plusSeconds(10), List.of(unit("new.service", "active", "running"))));
            assertThat(agent.next(WAIT)).isEqualTo(new Ack(4));
        }
        assertThat(as(admin)
                        .get("/api/v1/machines/" + machineId + "/units")
                        .jsonPath()
                        .getList("items.name"))
                .containsExactly("new.service");
        JsonPath events =
                as(admin).get("/api/v1/machines/" + machineId + "/unit-events").jsonPath();
        assertThat(events.getList("items.dropped", Integer.class)).containsExactly(0, 42, 0);
        assertThat(events.getList("items.removed", Boolean.class)).containsExactly(true, false, false);
    }

    @Test
    void shouldRefuseUnitNamesWithPathTricksAndStoreNothing() throws Exception {
        for (String name :
                List.of("../x.service", "a/b.service", "x".repeat(300) + ".service", "nosuffix", "x.exe", "")) {
            try (TestAgent agent = greeted()) {
                agent.send(new StateChanges(List.of(
                        StateChange.of(1, t0, unit("fine.service", "active", "running")),
                        StateChange.of(2, t0, unit(name, "active", "running")))));
                TestAgent.Close close = agent.awaitClose(WAIT);
                assertThat(close.code()).as(name).isEqualTo(Protocol.CLOSE_BAD_FRAME);
                assertThat(close.reason()).contains("invalid unit name");
            }
        }
        try (TestAgent agent = greeted()) {
            agent.send(new StateChanges(List.of(
                    StateChange.of(2, t0, unit("a.service", "active", "running")),
                    StateChange.of(1, t0, unit("b.service", "active", "running")))));
            assertThat(agent.awaitClose(WAIT).reason()).contains("increasing");
        }
        try (TestAgent agent = greeted()) {
            agent.send(new StateChanges(List.of(StateChange.of(
                    1,
                    t0,
                    new UnitState("a.service", "loaded", "active; rm -rf /", "running", null, null, null, false)))));
            assertThat(agent.awaitClose(WAIT).reason()).contains("invalid state");
        }
        assertThat(as(admin)
                        .get("/api/v1/machines/" + machineId + "/units")
                        .jsonPath()
                        .getList("items"))
                .isEmpty();
        assertThat(as(admin)
                        .get("/api/v1/machines/" + machineId + "/unit-events")
                        .jsonPath()
                        .getList("items"))
                .isEmpty();
        as(admin)
                .get("/api/v1/machines/" + machineId + "/units/..%2Fx.service/history")
                .then()
                .statusCode(400)
                .contentType("application/problem+json");
    }

    @Test
    void shouldServeFleetsStateView() throws Exception {
        try (TestAgent agent = greeted()) {
            agent.send(new StateSnapshot(
                    1, t0, List.of(unit("a.service", "active", "running"), unit("b.service", "inactive", "dead"))));
            assertThat(agent.next(WAIT)).isEqualTo(new Ack(1));
        }
        JsonPath state = as(admin)
                .queryParam("machineID", machineId)
                .get("/fleet/v1/state")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(state.getList("states.name")).containsExactly("a.service", "b.service");
        assertThat(state.getString("states[0].machineID")).isEqualTo(machineId);
        assertThat(state.getString("states[0].systemdLoadState")).isEqualTo("loaded");
        assertThat(state.getString("states[0].systemdActiveState")).isEqualTo("active");
        assertThat(state.getString("states[0].systemdSubState")).isEqualTo("running");
        assertThat(state.getString("states[0].hash")).isEqualTo(SHA1);
        as(admin)
                .queryParam("machineID", machineId)
                .queryParam("unitName", "b.service")
                .get("/fleet/v1/state")
                .then()
                .body("states.size()", is(1))
                .body("states[0].systemdSubState", is("dead"));
        as(tokens.api(Role.VIEWER)).get("/fleet/v1/state").then().statusCode(200);

        // The dashboard's machine page lists them too.
        dev.flotilla.service.Api.dashboard()
                .get("/machines/" + machineId)
                .then()
                .statusCode(200)
                .body(org.hamcrest.Matchers.containsString("<h2>Units</h2>"))
                .body(org.hamcrest.Matchers.containsString("a.service"))
                .body(org.hamcrest.Matchers.containsString("<span class=\"state inactive\">inactive</span>"));
        dev.flotilla.service.Api.anonymous().get("/fleet/v1/state").then().statusCode(401);
    }

    private TestAgent greeted() throws Exception {
        return TestAgent.greeted(vertx, base, credential, machineId);
    }

    private UnitState unit(String name, String active, String sub) {
        return new UnitState(name, "loaded", active, sub, "A unit", t0.truncatedTo(ChronoUnit.SECONDS), SHA1, false);
    }
}
