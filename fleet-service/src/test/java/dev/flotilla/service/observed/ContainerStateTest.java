package dev.flotilla.service.observed;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.flotilla.api.protocol.Ack;
import dev.flotilla.api.protocol.ContainerState;
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

/**
 * Container state from agents: in the same sequence as units, stored once, the newest report
 * winning; a snapshot without containers (no engine on the host) leaves them alone; bad container
 * frames store nothing.
 */
@QuarkusTest
@QuarkusTestResource(TestDatabase.class)
class ContainerStateTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String WEB = "a".repeat(64);
    private static final String DB = "b".repeat(64);

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
        credential = Fixtures.enroll(tokens.enrollment(1), machineId, "containers-" + machineId.substring(0, 6));
    }

    @Test
    void shouldStoreContainerTransitionsInTheAgentsSequenceWithTheirStates() throws Exception {
        try (TestAgent agent = greeted()) {
            List<StateChange> changes = List.of(
                    StateChange.of(1, t0, container(WEB, "web", "created", null)),
                    StateChange.of(2, t0.plusSeconds(1), unit("web-proxy.service")),
                    StateChange.of(3, t0.plusSeconds(2), container(WEB, "web", "running", "starting")),
                    StateChange.of(4, t0.plusSeconds(3), container(WEB, "web", "running", "healthy")));
            agent.send(new StateChanges(changes));
            assertThat(agent.next(WAIT)).isEqualTo(new Ack(4));
            agent.send(new StateChanges(changes)); // resent after a reconnect: stored once
            assertThat(agent.next(WAIT)).isEqualTo(new Ack(4));
            // An older report of the same container does not overwrite the newer state.
            agent.send(new StateChanges(
                    List.of(StateChange.of(3, t0.plusSeconds(2), container(WEB, "web", "exited", null)))));
            assertThat(agent.next(WAIT)).isEqualTo(new Ack(3));
        }
        JsonPath list = as(admin)
                .get("/api/v1/machines/" + machineId + "/containers")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(list.getList("items.id")).containsExactly(WEB);
        assertThat(list.getString("items[0].state")).isEqualTo("running");
        assertThat(list.getString("items[0].health")).isEqualTo("healthy");
        assertThat(list.getString("items[0].image")).isEqualTo("registry.example/web:1.4");
        assertThat(list.getMap("items[0].labels")).containsEntry("app", "web");
        assertThat(list.getString("items[0].startedAt")).isEqualTo("2026-11-20T09:59:00Z");
        assertThat(list.getString("items[0].observedAt")).isEqualTo("2026-11-20T10:00:03Z");

        JsonPath history = as(admin)
                .get("/api/v1/machines/" + machineId + "/containers/web/history")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(history.getList("items.seq", Integer.class)).containsExactly(4, 3, 1);
        assertThat(history.getList("items.health")).containsExactly("healthy", "starting", null);
        // By id (a 12-digit prefix) as well as by name.
        assertThat(as(admin)
                        .get("/api/v1/machines/" + machineId + "/containers/" + WEB.substring(0, 12) + "/history")
                        .jsonPath()
                        .getList("items.seq", Integer.class))
                .containsExactly(4, 3, 1);
        // The dashboard's machine page lists it.
        dev.flotilla.service.Api.dashboard()
                .get("/machines/" + machineId)
                .then()
                .statusCode(200)
                .body(org.hamcrest.Matchers.containsString("<h2>Containers</h2>"))
                .body(org.hamcrest.Matchers.containsString("registry.example/web:1.4"))
                .body(org.hamcrest.Matchers.containsString("<span class=\"cstate running\">running</span>"))
                .body(org.hamcrest.Matchers.containsString("<span class=\"health healthy\">healthy</span>"));
        // The unit in the same frame went to the unit history.
        assertThat(as(admin)
                        .get("/api/v1/machines/" + machineId + "/unit-events")
                        .jsonPath()
                        .getList("items.name"))
                .containsExactly("web-proxy.service");
    }

    @Test
    void shouldReplaceContainersWithASnapshotAndKeepThemWhenTheHostHasNoEngine() throws Exception {
        try (TestAgent agent = greeted()) {
            agent.send(new StateChanges(List.of(
                    StateChange.of(1, t0, container(WEB, "web", "running", null)),
                    StateChange.of(2, t0, container(DB, "db", "running", null)))));
            assertThat(agent.next(WAIT)).isEqualTo(new Ack(2));
            agent.send(new StateChanges(
                    List.of(StateChange.removal(3, t0.plusSeconds(1), container(DB, "db", "exited", null)))));
            assertThat(agent.next(WAIT)).isEqualTo(new Ack(3));
            assertThat(names()).containsExactly("web");

            // No engine answered when the snapshot was taken: what is known stays.
            agent.send(new StateSnapshot(4, t0.plusSeconds(2), List.of(unit("a.service")), null));
            assertThat(agent.next(WAIT)).isEqualTo(new Ack(4));
            assertThat(names()).containsExactly("web");

            // The engine's full list replaces it.
            agent.send(new StateSnapshot(
                    5, t0.plusSeconds(3), List.of(unit("a.service")), List.of(container(DB, "db", "created", null))));
            assertThat(agent.next(WAIT)).isEqualTo(new Ack(5));
            assertThat(names()).containsExactly("db");
        }
        assertThat(as(admin)
                        .get("/api/v1/machines/" + machineId + "/container-events")
                        .jsonPath()
                        .getList("items.state"))
                .containsExactly("removed", "running", "running");
    }

    @Test
    void shouldRefuseBadContainerReportsAndStoreNothing() throws Exception {
        Map<String, ContainerState> bad = Map.of(
                "invalid container id",
                container("../../etc", "web", "running", null),
                "invalid name",
                container(WEB, "web/../../x", "running", null),
                "invalid state",
                container(WEB, "web", "running; reboot", null),
                "too long or empty",
                new ContainerState(WEB, "web", "img", "running", null, null, t0, null, Map.of("k", "v".repeat(5000))));
        for (var e : bad.entrySet()) {
            try (TestAgent agent = greeted()) {
                agent.send(new StateChanges(List.of(
                        StateChange.of(1, t0, container(DB, "db", "running", null)),
                        StateChange.of(2, t0, e.getValue()))));
                TestAgent.Close close = agent.awaitClose(WAIT);
                assertThat(close.code()).as(e.getKey()).isEqualTo(Protocol.CLOSE_BAD_FRAME);
                assertThat(close.reason()).contains(e.getKey());
            }
        }
        try (TestAgent agent = greeted()) {
            agent.send(new StateChanges(List.of(
                    new StateChange(1, t0, unit("a.service"), container(DB, "db", "running", null), false, 0))));
            assertThat(agent.awaitClose(WAIT).reason()).contains("not both");
        }
        assertThat(names()).isEmpty();
        assertThat(as(admin)
                        .get("/api/v1/machines/" + machineId + "/container-events")
                        .jsonPath()
                        .getList("items"))
                .isEmpty();
        as(admin)
                .get("/api/v1/machines/" + machineId + "/containers/..%2F..%2Fetc/history")
                .then()
                .statusCode(400)
                .contentType("application/problem+json");
        as(admin)
                .get("/api/v1/machines/not-a-machine/containers")
                .then()
                .statusCode(404)
                .contentType("application/problem+json");
    }

    private List<String> names() {
        return as(admin)
                .get("/api/v1/machines/" + machineId + "/containers")
                .jsonPath()
                .getList("items.name");
    }

    private TestAgent greeted() throws Exception {
        return TestAgent.greeted(vertx, base, credential, machineId);
    }

    private ContainerState container(String id, String name, String state, String health) {
        return new ContainerState(
                id,
                name,
                "registry.example/web:1.4",
                state,
                state.equals("running") ? "Up 2 minutes" : "Exited (0) 1 second ago",
                health,
                t0.minusSeconds(120),
                t0.minusSeconds(60),
                Map.of("app", name));
    }

    private UnitState unit(String name) {
        return new UnitState(name, "loaded", "active", "running", "A unit", t0, null, false);
    }
}
