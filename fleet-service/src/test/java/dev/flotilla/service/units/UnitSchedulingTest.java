package dev.flotilla.service.units;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.flotilla.api.protocol.DesiredState;
import dev.flotilla.api.protocol.Frame;
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
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/**
 * fleet's units through /api/v1/units: checked as fleet checked them, global units on every
 * matching machine (and on machines that come to match, and off those that stop), other units on
 * one machine that qualifies, destroyed everywhere. Each test uses labels of its own, so machines
 * of other tests never match.
 */
@QuarkusTest
@QuarkusTestResource(TestDatabase.class)
class UnitSchedulingTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TestHTTPResource("/")
    URI base;

    @Inject
    Vertx vertx;

    @Inject
    TestTokens tokens;

    String operator;
    String tag;

    @BeforeEach
    void setUp() {
        operator = tokens.api(Role.OPERATOR);
        tag = UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void shouldRefuseInvalidUnitsWithTheReasonAndStoreNothing() {
        record Case(String name, String body, String reason) {}
        List<Case> cases = List.of(
                new Case(
                        "x.exe",
                        "{\"content\":\"[Service]\\nExecStart=/bin/true\\n\"}",
                        "invalid unit type: \\\"exe\\\""),
                new Case(
                        "g-" + tag + ".service",
                        "{\"content\":\"[Service]\\nExecStart=/bin/true\\n[X-Fleet]\\nGlobal=true\\nMachineOf=a.service\\n\"}",
                        "Global cannot be used with Peers"),
                new Case(
                        "r-" + tag + ".service",
                        "{\"content\":\"[Service]\\nExecStart=/bin/true\\n[X-Fleet]\\nMachineOf=db.service\\nReplaces=db.service\\n\"}",
                        "peer \\\"db.service\\\" matches replace"),
                new Case("s-" + tag + ".service", "{\"content\":\"ExecStart=/bin/true\"}", "not a unit file"),
                new Case(
                        "t-" + tag + "@.service",
                        "{\"content\":\"[Service]\\nExecStart=/bin/true\\n\",\"target\":\"launched\"}",
                        "cannot activate template"),
                new Case(
                        "u-" + tag + ".service",
                        "{\"content\":\"[Service]\\nA=b\\n\",\"target\":\"running\"}",
                        "target must be"),
                new Case("v-" + tag + "@1.service", "{}", "no template"),
                new Case(
                        "w-" + tag + ".service",
                        "{\"content\":\"[Service]\\n#" + "x".repeat(70_000) + "\\n\"}",
                        "larger than"));
        for (Case c : cases) {
            as(operator)
                    .contentType("application/json")
                    .body(c.body())
                    .put("/api/v1/units/" + c.name())
                    .then()
                    .statusCode(400)
                    .contentType("application/problem+json")
                    .body("detail", containsString(c.reason().replace("\\\"", "\"")));
            as(operator).get("/api/v1/units/" + c.name()).then().statusCode(404);
        }
        // Circular Replaces: refused through both APIs, nothing stored.
        as(operator)
                .contentType("application/json")
                .body("{\"content\":\"[Service]\\nExecStart=/bin/true\\n[X-Fleet]\\nReplaces=b-" + tag
                        + ".service\\n\"}")
                .put("/api/v1/units/a-" + tag + ".service")
                .then()
                .statusCode(201);
        as(operator)
                .contentType("application/json")
                .body("{\"content\":\"[Service]\\nExecStart=/bin/true\\n[X-Fleet]\\nReplaces=a-" + tag + "*\\n\"}")
                .put("/api/v1/units/b-" + tag + ".service")
                .then()
                .statusCode(400)
                .body("detail", containsString("circular Replaces"));
        as(operator)
                .contentType("application/json")
                .body("{\"desiredState\":\"inactive\",\"options\":[{\"section\":\"X-Fleet\",\"name\":\"Replaces\","
                        + "\"value\":\"a-" + tag + ".service\"}]}")
                .put("/fleet/v1/units/b-" + tag + ".service")
                .then()
                .statusCode(400)
                .body("error.message", containsString("circular Replaces"));
        as(operator).get("/api/v1/units/b-" + tag + ".service").then().statusCode(404);
        as(operator)
                .contentType("application/json")
                .body("{\"content\":\"[Service]\\nExecStart=/bin/true\\n\",\"extra\":1}")
                .put("/api/v1/units/x-" + tag + ".service")
                .then()
                .statusCode(400)
                .contentType("application/problem+json");
        as(tokens.api(Role.VIEWER))
                .contentType("application/json")
                .body("{\"content\":\"[Service]\\nExecStart=/bin/true\\n\"}")
                .put("/api/v1/units/y-" + tag + ".service")
                .then()
                .statusCode(403);
    }

    @Test
    void shouldRunAGlobalUnitOnEveryMatchingMachineAndFollowLabelChanges() {
        String web1 = machine(Map.of("role", "web-" + tag));
        String db = machine(Map.of("role", "db-" + tag));
        String web2 = machine(Map.of("role", "web-" + tag));
        String name = "agent-" + tag + ".service";
        as(operator)
                .contentType("application/json")
                .body("{\"content\":\"[Unit]\\nDescription=Everywhere\\n[Service]\\nExecStart=/bin/sleep 600\\n"
                        + "[X-Fleet]\\nGlobal=true\\nMachineMetadata=role=web-" + tag + "\\n\"}")
                .put("/api/v1/units/" + name)
                .then()
                .statusCode(201)
                .body("global", is(true))
                .body("placed", is(2));
        // What the machines get is the file without its [X-Fleet] section.
        assertThat(desiredContent(web1, name))
                .isEqualTo("[Unit]\nDescription=Everywhere\n\n[Service]\nExecStart=/bin/sleep 600\n");
        assertThat(desiredContent(web2, name)).isNotNull();
        assertThat(desiredContent(db, name)).isNull();

        // A machine whose labels come to match gets it; one whose labels stop matching loses it.
        labels(db, "web-" + tag);
        labels(web1, "db-" + tag);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(desiredContent(db, name)).isNotNull();
            assertThat(desiredContent(web1, name)).isNull();
        });
        // A machine that enrolls later gets it too.
        String late = machine(Map.of("role", "web-" + tag));
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(desiredContent(late, name)).isNotNull());

        // Hand-made changes to a scheduled unit are refused: change the unit instead.
        as(operator)
                .contentType("application/json")
                .body("{\"content\":\"[Service]\\nExecStart=/bin/true\\n\"}")
                .put("/api/v1/machines/" + db + "/desired-units/" + name)
                .then()
                .statusCode(409);

        // The dashboard lists it and shows its file (escaped) and placement.
        dev.flotilla.service.Api.dashboard()
                .get("/units")
                .then()
                .statusCode(200)
                .body(containsString("<a href=\"/units/" + name + "\">" + name + "</a>"))
                .body(containsString("every matching machine"));
        dev.flotilla.service.Api.dashboard()
                .get("/units/" + name)
                .then()
                .statusCode(200)
                .body(containsString("MachineMetadata=role=web-" + tag))
                .body(containsString("<span class=\"target launched\" id=\"unit-target\">launched</span>"));

        // Stopping it keeps it loaded everywhere; destroying it removes it everywhere.
        as(operator)
                .contentType("application/json")
                .body("{\"target\":\"loaded\"}")
                .patch("/api/v1/units/" + name)
                .then()
                .statusCode(200)
                .body("target", is("loaded"));
        assertThat(desiredTarget(db, name)).isEqualTo("loaded");
        as(operator).delete("/api/v1/units/" + name).then().statusCode(204);
        for (String m : List.of(web1, db, web2, late)) {
            assertThat(desiredContent(m, name)).isNull();
        }
        as(operator).get("/api/v1/units/" + name).then().statusCode(404);
    }

    @Test
    void shouldPlaceOtherUnitsOnOneQualifyingMachineRespectingConflictsAndTellOnlyThatMachine() throws Exception {
        String pool = "pool-" + tag;
        String m1 = Fixtures.newMachineId();
        String m2 = Fixtures.newMachineId();
        String enroll = tokens.enrollment(2);
        String c1 = Fixtures.enroll(enroll, m1, "s1-" + tag);
        String c2 = Fixtures.enroll(enroll, m2, "s2-" + tag);
        try (TestAgent a1 = TestAgent.greeted(vertx, base, c1, m1);
                TestAgent a2 = TestAgent.greeted(vertx, base, c2, m2)) {
            labelsOf(m1, Map.of("pool", pool));
            labelsOf(m2, Map.of("pool", pool));
            List<String> where = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                JsonPath unit = as(operator)
                        .contentType("application/json")
                        .body("{\"content\":\"[Service]\\nExecStart=/bin/sleep 600\\n[X-Fleet]\\nConflicts=web*\\n"
                                + "MachineMetadata=pool=" + pool + "\\n\"}")
                        .put("/api/v1/units/web" + i + "-" + tag + ".service")
                        .then()
                        .statusCode(201)
                        .extract()
                        .jsonPath();
                where.add(unit.getString("machineId"));
            }
            // Two machines, three units that conflict with each other: the third has nowhere to go.
            assertThat(where.subList(0, 2)).containsExactlyInAnyOrder(m1, m2);
            assertThat(where.get(2)).isNull();
            // Each machine's agent was told its own unit, with a new generation.
            assertThat(desiredStateFrame(a1).units()).hasSize(1);
            assertThat(desiredStateFrame(a2).units()).hasSize(1);

            // Freeing a machine lets the waiting unit in.
            as(operator).delete("/api/v1/units/web1-" + tag + ".service").then().statusCode(204);
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(as(operator)
                                    .get("/api/v1/units/web3-" + tag + ".service")
                                    .jsonPath()
                                    .getString("machineId"))
                            .isEqualTo(where.get(0)));
        }
    }

    @Test
    void shouldMoveAReplacedUnitOffTheMachineItsReplacementTakes() throws Exception {
        String pool = "repl-" + tag;
        String m1 = Fixtures.newMachineId();
        String m2 = Fixtures.newMachineId();
        String enroll = tokens.enrollment(2);
        String c1 = Fixtures.enroll(enroll, m1, "r1-" + tag);
        String c2 = Fixtures.enroll(enroll, m2, "r2-" + tag);
        try (TestAgent a1 = TestAgent.greeted(vertx, base, c1, m1);
                TestAgent a2 = TestAgent.greeted(vertx, base, c2, m2)) {
            labelsOf(m1, Map.of("pool", pool));
            labelsOf(m2, Map.of("pool", pool));
            String old = "old-" + tag + ".service";
            String x = submit(old, "MachineMetadata=pool=" + pool);
            // An anchor on the old unit's machine, and a new unit that must run beside the anchor
            // and replaces the old one: the new unit takes the machine, the old one moves.
            submit("anchor-" + tag + ".service", "MachineID=" + x);
            String taken = submit(
                    "new-" + tag + ".service", "MachineOf=anchor-" + tag + ".service\\nReplaces=old-" + tag + "*");
            assertThat(taken).isEqualTo(x);
            String other = x.equals(m1) ? m2 : m1;
            assertThat(unitMachine(old)).isEqualTo(other);
            assertThat(desiredContent(x, old)).isNull();
            assertThat(desiredContent(other, old)).isNotNull();
        }
    }

    private String submit(String name, String xfleet) {
        return as(operator)
                .contentType("application/json")
                .body("{\"content\":\"[Service]\\nExecStart=/bin/sleep 600\\n[X-Fleet]\\n" + xfleet + "\\n\"}")
                .put("/api/v1/units/" + name)
                .then()
                .statusCode(201)
                .extract()
                .path("machineId");
    }

    @Test
    void shouldMoveAUnitOffALostMachineButNotOffAnOfflineOne() throws Exception {
        String pool = "lost-" + tag;
        String m1 = Fixtures.newMachineId();
        String m2 = Fixtures.newMachineId();
        String enroll = tokens.enrollment(2);
        String c1 = Fixtures.enroll(enroll, m1, "l1-" + tag);
        String c2 = Fixtures.enroll(enroll, m2, "l2-" + tag);
        try (TestAgent a1 = TestAgent.greeted(vertx, base, c1, m1);
                TestAgent a2 = TestAgent.greeted(vertx, base, c2, m2)) {
            // Both keep heartbeating (the tests' TTL is 3 s, lost after 6 s offline).
            long timer = vertx.setPeriodic(500, id -> {
                a1.send(new dev.flotilla.api.protocol.Heartbeat(id));
                a2.send(new dev.flotilla.api.protocol.Heartbeat(id));
            });
            try {
                labelsOf(m1, Map.of("pool", pool));
                labelsOf(m2, Map.of("pool", pool));
                String name = "mover-" + tag + ".service";
                String first = as(operator)
                        .contentType("application/json")
                        .body("{\"content\":\"[Service]\\nExecStart=/bin/sleep 600\\n[X-Fleet]\\n"
                                + "MachineMetadata=pool=" + pool + "\\n\"}")
                        .put("/api/v1/units/" + name)
                        .then()
                        .statusCode(201)
                        .extract()
                        .path("machineId");
                TestAgent holder = first.equals(m1) ? a1 : a2;
                String holderCredential = first.equals(m1) ? c1 : c2;
                String other = first.equals(m1) ? m2 : m1;
                vertx.cancelTimer(timer);
                timer = vertx.setPeriodic(
                        500, id -> (holder == a1 ? a2 : a1).send(new dev.flotilla.api.protocol.Heartbeat(id)));
                holder.close();
                // Offline is not lost: the unit stays where it is a while ...
                await().atMost(WAIT)
                        .untilAsserted(() -> assertThat(presence(first)).isEqualTo("offline"));
                assertThat(unitMachine(name)).isEqualTo(first);
                // New units go only to a machine that is up, though the offline one has fewer.
                for (String extra : List.of("new1-" + tag + ".service", "new2-" + tag + ".service")) {
                    String placed = as(operator)
                            .contentType("application/json")
                            .body("{\"content\":\"[Service]\\nExecStart=/bin/sleep 600\\n[X-Fleet]\\n"
                                    + "MachineMetadata=pool=" + pool + "\\n\"}")
                            .put("/api/v1/units/" + extra)
                            .then()
                            .statusCode(201)
                            .extract()
                            .path("machineId");
                    assertThat(placed).as(extra).isEqualTo(other);
                }
                // ... and moves once its machine is lost.
                await().atMost(Duration.ofSeconds(20))
                        .untilAsserted(() -> assertThat(unitMachine(name)).isEqualTo(other));
                assertThat(presence(first)).isEqualTo("lost");
                assertThat(desiredContent(other, name)).isNotNull();
                assertThat(desiredContent(first, name)).isNull();
                // It comes back: it gets nothing back, and its history says why.
                try (TestAgent back = TestAgent.greeted(vertx, base, holderCredential, first)) {
                    assertThat(back.initialDesiredState.units())
                            .extracting(dev.flotilla.api.protocol.DesiredUnit::name)
                            .doesNotContain(name);
                    assertThat(unitMachine(name)).isEqualTo(other);
                }
                assertThat(as(operator)
                                .get("/api/v1/machines/" + first + "/events?limit=500")
                                .jsonPath()
                                .getList("items.detail", String.class))
                        .contains(name + " moved to " + other + ": this machine was lost");
            } finally {
                vertx.cancelTimer(timer);
            }
        }
    }

    private String presence(String machine) {
        return as(operator).get("/api/v1/machines/" + machine).jsonPath().getString("presence");
    }

    private String unitMachine(String unit) {
        return as(operator).get("/api/v1/units/" + unit).jsonPath().getString("machineId");
    }

    private DesiredState desiredStateFrame(TestAgent agent) throws InterruptedException {
        Frame f;
        do {
            f = agent.next(WAIT);
            assertThat(f).as("a desired-state frame").isNotNull();
        } while (!(f instanceof DesiredState));
        return (DesiredState) f;
    }

    private String machine(Map<String, String> labels) {
        String id = Fixtures.newMachineId();
        Fixtures.enroll(tokens.enrollment(1), id, "h-" + id.substring(0, 8));
        labelsOf(id, labels);
        return id;
    }

    private void labels(String machine, String role) {
        labelsOf(machine, Map.of("role", role));
    }

    private void labelsOf(String machine, Map<String, String> labels) {
        as(operator)
                .contentType("application/json")
                .body(labels)
                .patch("/api/v1/machines/" + machine + "/labels")
                .then()
                .statusCode(200);
    }

    private String desiredContent(String machine, String unit) {
        return desired(machine, unit, "content");
    }

    private String desiredTarget(String machine, String unit) {
        return desired(machine, unit, "target");
    }

    private String desired(String machine, String unit, String field) {
        JsonPath view = as(operator)
                .get("/api/v1/machines/" + machine + "/desired-units")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        return view.getString("units.find { it.name == '" + unit + "' }." + field);
    }
}
