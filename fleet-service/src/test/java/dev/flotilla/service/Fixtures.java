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

    /** Enrolls a machine and returns its credential (coming back after a 429, as the agent does). */
    public static String enroll(String enrollToken, String machineId, String hostname) {
        io.restassured.response.Response r;
        long deadline = System.nanoTime() + 30_000_000_000L;
        do {
            r = Api.anonymous()
                    .body(Map.of("token", enrollToken, "machineId", machineId, "hostname", hostname))
                    .post("/agent/v1/enroll");
            if (r.statusCode() == 429) {
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        } while (r.statusCode() == 429 && System.nanoTime() < deadline);
        JsonPath body = r.then().statusCode(201).extract().jsonPath();
        assertThat(body.getString("machineId")).isEqualTo(machineId);
        return body.getString("credential");
    }
}
