package dev.flotilla.service.common;

import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.flotilla.service.Fixtures;
import dev.flotilla.service.TestDatabase;
import dev.flotilla.service.TestTokens;
import dev.flotilla.service.tenant.Role;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

import static dev.flotilla.service.Api.as;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code 201 Created} says where the new resource is ({@code Location}), and where the API
 * can read it there, it is there. {@link CreatedNeedsLocation} turns a 201 without one into a 500
 * in every other test of the service too.
 */
@QuarkusTest
@QuarkusTestResource(TestDatabase.class)
class CreatedLocationTest {
    @Inject
    TestTokens tokens;

    private static String location(Response r) {
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(201);
        String location = r.header("Location");
        assertThat(location).as("Location of a 201").isNotBlank();
        return location;
    }

    @Test
    void shouldSayWhereEachCreatedThingIs() {
        String admin = tokens.api(Role.ADMIN);
        String tag = UUID.randomUUID().toString().substring(0, 8);

        String unit = location(as(admin)
                .body(Map.of("content", "[Service]\nExecStart=/bin/true\n", "target", "inactive"))
                .put("/api/v1/units/loc-" + tag + "@1.service"));
        assertThat(unit).endsWith("/api/v1/units/loc-" + tag + "@1.service");
        as(admin).get(unit).then().statusCode(200);

        String fleet = location(as(admin)
                .body("{\"desiredState\":\"inactive\",\"options\":[{\"section\":\"Service\",\"name\":\"ExecStart\","
                        + "\"value\":\"/bin/true\"}]}")
                .put("/fleet/v1/units/fleet-loc-" + tag + ".service"));
        as(admin).get(fleet).then().statusCode(200);

        String machineId = Fixtures.newMachineId();
        String machine = location(io.restassured.RestAssured.given()
                .contentType("application/json")
                .body(Map.of("token", tokens.enrollment(1), "machineId", machineId, "hostname", "loc-" + tag))
                .post("/agent/v1/enroll"));
        assertThat(machine).endsWith("/api/v1/machines/" + machineId);
        as(admin).get(machine).then().statusCode(200);

        location(as(admin).body(Map.of("name", "loc-" + tag)).post("/api/v1/enrollment-tokens"));
        location(as(admin).post("/api/v1/fleetlock-urls"));
        location(as(admin)
                .body(Map.of("name", "loc-" + tag, "role", "viewer", "ttl", "P1D"))
                .post("/api/v1/tokens"));
    }
}
