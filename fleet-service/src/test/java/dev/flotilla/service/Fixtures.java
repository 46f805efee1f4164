package dev.flotilla.service;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;

import io.restassured.path.json.JsonPath;

import static org.assertj.core.api.Assertions.assertThat;

/** Machines enrolled through the real enrollment endpoint. */
public final class Fixtures {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Fixtures() {}

    public static String newMachineId() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** Enrolls a machine and returns its credential. */
    public static String enroll(String enrollToken, String machineId, String hostname) {
        JsonPath body = Api.anonymous()
                .body(Map.of("token", enrollToken, "machineId", machineId, "hostname", hostname))
                .post("/agent/v1/enroll")
                .then()
                .statusCode(201)
                .extract()
                .jsonPath();
        assertThat(body.getString("machineId")).isEqualTo(machineId);
        return body.getString("credential");
    }
}
