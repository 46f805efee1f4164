package dev.flotilla.service.fleetv1;

import java.net.URI;
import java.time.Duration;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

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
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** fleet's /fleet/v1 units and machines, with fleet's bodies, status codes and error shape. */
@QuarkusTest
@QuarkusTestResource(TestDatabase.class)
class FleetV1ApiTest {
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

    private static String unitBody(String desiredState, String extraOption) {
        return "{\"desiredState\":\"" + desiredState + "\",\"options\":["
                + "{\"section\":\"Service\",\"name\":\"ExecStart\",\"value\":\"/bin/sleep 600\"}"
                + extraOption + "]}";
    }

    @Test
    void shouldAnswerAtOnceAUnitWithAPathologicalConflictsGlob() {
        // Once a backtracking glob: this request never answered and kept a core busy for minutes,
        // in the request and again in the scheduler's loop that serves every organization.
        String name = "glob-" + tag + ".service";
        String peer = "p".repeat(200) + ".service";
        String conflicts = "*a*a*a*a*a*a*a*a*a*a*a*a*b";
        assertTimeoutPreemptively(
                Duration.ofSeconds(10),
                () -> as(operator)
                        .contentType("application/json")
                        .body(unitBody(
                                "launched",
                                ",{\"section\":\"X-Fleet\",\"name\":\"MachineOf\",\"value\":\"" + peer + "\"}"
                                        + ",{\"section\":\"X-Fleet\",\"name\":\"Conflicts\",\"value\":\"" + conflicts
                                        + "\"}"))
                        .put("/fleet/v1/units/" + name)
                        .then()
                        .statusCode(201));
        // More wildcards than a unit may use: refused with the reason, in fleet's error shape.
        as(operator)
                .contentType("application/json")
                .body(unitBody(
                        "launched",
                        ",{\"section\":\"X-Fleet\",\"name\":\"Conflicts\",\"value\":\"" + "*a".repeat(20) + "\"}"))
                .put("/fleet/v1/units/many-" + tag + ".service")
                .then()
                .statusCode(400)
                .body("error.message", containsString("more than 16 wildcards"));
        as(operator).get("/fleet/v1/units/many-" + tag + ".service").then().statusCode(404);
        as(operator).delete("/fleet/v1/units/" + name).then().statusCode(204);
    }

    @Test
    void shouldCreateChangeAndDestroyUnitsAsFleetsApiDid() {
        String name = "hello-" + tag + ".service";
        String url = "/fleet/v1/units/" + name;
        // Create: 201, no body; the target state defaults to inactive when not given.
        as(operator)
                .contentType("application/json")
                .body(unitBody(
                        "loaded",
                        ",{\"section\":\"X-Fleet\",\"name\":\"MachineMetadata\",\"value\":\"pool=" + tag + "\"}"))
                .put(url)
                .then()
                .statusCode(201);
        as(operator)
                .get(url)
                .then()
                .statusCode(200)
                .body("name", is(name))
                .body("desiredState", is("loaded"))
                .body("currentState", is("inactive")) // no machine with that pool
                .body("options.name", hasItem("MachineMetadata"))
                .body("machineID", nullValue());
        // Only the desired state changes an existing unit: 204.
        as(operator)
                .contentType("application/json")
                .body("{\"desiredState\":\"launched\"}")
                .put(url)
                .then()
                .statusCode(204);
        as(operator).get(url).then().body("desiredState", is("launched"));
        as(operator)
                .contentType("application/json")
                .body("{\"name\":\"" + name + "\"}")
                .put(url)
                .then()
                .statusCode(409)
                .contentType("application/json")
                .body("error.code", is(409))
                .body("error.message", is("must provide DesiredState to update existing unit"));
        // New options without a desiredState: the file changes, the unit keeps running.
        as(operator)
                .contentType("application/json")
                .body("{\"options\":[{\"section\":\"Service\",\"name\":\"ExecStart\",\"value\":\"/bin/sleep 601\"},"
                        + "{\"section\":\"X-Fleet\",\"name\":\"MachineMetadata\",\"value\":\"pool=" + tag + "\"}]}")
                .put(url)
                .then()
                .statusCode(201);
        as(operator)
                .get(url)
                .then()
                .body("desiredState", is("launched"))
                .body("options.value", hasItem("/bin/sleep 601"));
        // The list has it, in fleet's page shape.
        as(operator).get("/fleet/v1/units").then().statusCode(200).body("units.name", hasItem(name));
        // Destroy: 204, then 404 in fleet's words.
        as(operator).delete(url).then().statusCode(204);
        as(operator)
                .get(url)
                .then()
                .statusCode(404)
                .body("error.code", is(404))
                .body("error.message", is("unit does not exist"));
        as(operator).delete(url).then().statusCode(404);
    }

    @Test
    void shouldRefuseWhatFleetRefusedWithFleetsErrorShape() {
        String name = "bad-" + tag + ".service";
        as(operator)
                .contentType("application/json")
                .body("{\"desiredState\":\"launched\"}")
                .put("/fleet/v1/units/" + name)
                .then()
                .statusCode(409)
                .body("error.message", is("unit does not exist and options field empty"));
        as(operator)
                .contentType("application/json")
                .body(unitBody(
                        "launched",
                        ",{\"section\":\"X-Fleet\",\"name\":\"Global\",\"value\":\"true\"},"
                                + "{\"section\":\"X-Fleet\",\"name\":\"MachineID\",\"value\":\"abc\"}"))
                .put("/fleet/v1/units/" + name)
                .then()
                .statusCode(400)
                .contentType("application/json")
                .body("error.message", is("MachineID cannot be used with Global"));
        as(operator)
                .contentType("application/json")
                .body("{\"name\":\"other.service\",\"desiredState\":\"launched\"}")
                .put("/fleet/v1/units/" + name)
                .then()
                .statusCode(400)
                .body("error.message", containsString("differs from unit name"));
        as(operator)
                .contentType("application/json")
                .body(unitBody("launched", ""))
                .put("/fleet/v1/units/bad.exe")
                .then()
                .statusCode(400)
                .body("error.message", is("invalid unit type: \"exe\""));
        as(operator)
                .contentType("application/json")
                .body("{not json")
                .put("/fleet/v1/units/" + name)
                .then()
                .statusCode(400)
                .body("error.code", is(400));
        as(tokens.api(Role.VIEWER))
                .contentType("application/json")
                .body(unitBody("launched", ""))
                .put("/fleet/v1/units/" + name)
                .then()
                .statusCode(403);
        as(operator).get("/fleet/v1/units/" + name).then().statusCode(404);
    }

    @Test
    void shouldListOnlineMachinesWithMetadataAndPatchIt() throws Exception {
        String id = Fixtures.newMachineId();
        String credential = Fixtures.enroll(tokens.enrollment(1), id, "fleet-" + tag);
        try (TestAgent agent = TestAgent.greeted(vertx, base, credential, id)) {
            as(operator)
                    .contentType("application/json")
                    .body("[{\"op\":\"add\",\"path\":\"/" + id + "/metadata/rack\",\"value\":{\"value\":\"r" + tag
                            + "\"}},{\"op\":\"replace\",\"path\":\"/" + id + "/metadata/zone\",\"value\":\"z1\"}]")
                    .patch("/fleet/v1/machines")
                    .then()
                    .statusCode(204);
            as(operator)
                    .get("/fleet/v1/machines")
                    .then()
                    .statusCode(200)
                    .body("machines.find { it.id == '" + id + "' }.metadata.rack", is("r" + tag))
                    .body("machines.find { it.id == '" + id + "' }.metadata.zone", is("z1"));
            as(operator)
                    .contentType("application/json")
                    .body("[{\"op\":\"remove\",\"path\":\"/" + id + "/metadata/zone\"}]")
                    .patch("/fleet/v1/machines")
                    .then()
                    .statusCode(204);
            as(operator)
                    .get("/fleet/v1/machines")
                    .then()
                    .body("machines.find { it.id == '" + id + "' }.metadata.zone", nullValue());
        }
        as(operator)
                .contentType("application/json")
                .body("[{\"op\":\"move\",\"path\":\"/" + id + "/metadata/zone\",\"value\":\"x\"}]")
                .patch("/fleet/v1/machines")
                .then()
                .statusCode(400)
                .body("error.message", is("invalid op: expect add, remove, or replace"));
        as(operator)
                .contentType("application/json")
                .body("[{\"op\":\"add\",\"path\":\"/" + id + "/labels/zone\",\"value\":\"x\"}]")
                .patch("/fleet/v1/machines")
                .then()
                .statusCode(400)
                .body("error.message", is("machine metadata path invalid"));
        as(operator)
                .contentType("application/json")
                .body("[{\"op\":\"add\",\"path\":\"/" + id + "/metadata/zone\"}]")
                .patch("/fleet/v1/machines")
                .then()
                .statusCode(400)
                .body("error.message", is("invalid value: add and replace require a value"));
        // An unknown machine later in the list: nothing is written, not even the first machine's label.
        as(operator)
                .contentType("application/json")
                .body("[{\"op\":\"add\",\"path\":\"/" + id + "/metadata/half\",\"value\":\"x\"},"
                        + "{\"op\":\"add\",\"path\":\"/" + Fixtures.newMachineId()
                        + "/metadata/half\",\"value\":\"x\"}]")
                .patch("/fleet/v1/machines")
                .then()
                .statusCode(404);
        as(operator).get("/api/v1/machines/" + id).then().statusCode(200).body("labels.half", nullValue());
    }
}
