package dev.flotilla.service.enroll;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import org.junit.jupiter.api.Test;

import dev.flotilla.service.Fixtures;
import dev.flotilla.service.TestDatabase;
import dev.flotilla.service.TestTokens;
import dev.flotilla.service.tenant.Role;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

import static dev.flotilla.service.Api.anonymous;
import static dev.flotilla.service.Api.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/** Enrollment tokens: expiring, limited in uses, revocable, and never overspent. */
@QuarkusTest
@QuarkusTestResource(TestDatabase.class)
class EnrollmentTest {
    @Inject
    TestTokens tokens;

    @Inject
    EntityManager em;

    @Test
    void shouldAuditEachEnrollmentWithTheTokenThatPaidForIt() {
        String secret = tokens.enrollment(1);
        String machine = dev.flotilla.service.Fixtures.newMachineId();
        dev.flotilla.service.Fixtures.enroll(secret, machine, "audited");
        java.util.List<Map<String, Object>> entries = as(tokens.api(Role.ADMIN))
                .get("/api/v1/audit?action=machine.enroll&targetId=" + machine)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("items");
        org.assertj.core.api.Assertions.assertThat(entries).hasSize(1);
        org.assertj.core.api.Assertions.assertThat((String) entries.get(0).get("actor"))
                .startsWith("enrollment-token:");
    }

    @Test
    void shouldCreateListAndRevokeTokens() {
        String admin = tokens.api(Role.ADMIN);
        Response created = as(admin)
                .body(Map.of("name", "rack-7", "maxUses", 3, "ttl", "PT2H"))
                .post("/api/v1/enrollment-tokens");
        created.then()
                .statusCode(201)
                .body("token.state", is("active"))
                .body("token.maxUses", is(3))
                .body("secret", org.hamcrest.Matchers.startsWith("fle_"))
                .header(
                        "Location",
                        org.hamcrest.Matchers.endsWith("/api/v1/enrollment-tokens/"
                                + created.jsonPath().getString("token.id")));
        String id = created.jsonPath().getString("token.id");
        String secret = created.jsonPath().getString("secret");
        // With the commands that install an agent enrolled by it, this service's URL filled in.
        assertThat(created.jsonPath().getList("install.way", String.class))
                .containsExactlyElementsOf(InstallCommands.WAYS);
        assertThat(created.jsonPath().getString("install.find { it.way == 'deb' }.text"))
                .contains("sudo flotilla-agent enroll --url http://localhost:")
                .contains("--token " + secret);
        as(admin)
                .get("/api/v1/enrollment-tokens")
                .then()
                .statusCode(200)
                .body("find { it.id == '" + id + "' }.name", is("rack-7"));
        as(admin)
                .delete("/api/v1/enrollment-tokens/" + id)
                .then()
                .statusCode(200)
                .body("state", is("revoked"));
        enroll(secret, Fixtures.newMachineId())
                .then()
                .statusCode(401)
                .contentType("application/problem+json")
                .body("detail", is("enrollment token is revoked"));
        as(admin)
                .delete("/api/v1/enrollment-tokens/" + java.util.UUID.randomUUID())
                .then()
                .statusCode(404);
    }

    @Test
    void shouldRefuseExpiredUsedUpAndUnknownTokens() {
        String expired = tokens.enrollment(5);
        expire(expired);
        enroll(expired, Fixtures.newMachineId())
                .then()
                .statusCode(401)
                .body("detail", is("enrollment token is expired"));

        String once = tokens.enrollment(1);
        enroll(once, Fixtures.newMachineId()).then().statusCode(201);
        enroll(once, Fixtures.newMachineId()).then().statusCode(401).body("detail", is("enrollment token is used-up"));

        enroll("fle_never-issued", Fixtures.newMachineId())
                .then()
                .statusCode(401)
                .body("detail", is("unknown enrollment token"));
        enroll(null, Fixtures.newMachineId()).then().statusCode(401);
    }

    @Test
    void shouldValidateTheMachineIdAndHostname() {
        String token = tokens.enrollment(10);
        for (String bad : List.of(
                "../../etc/machine-id", "ABCDEF0123456789ABCDEF0123456789", "1234", "'; drop table machine; --")) {
            enroll(token, bad)
                    .then()
                    .statusCode(400)
                    .contentType("application/problem+json")
                    .body("detail", containsString("machineId"));
        }
        anonymous()
                .body(Map.of("token", token, "machineId", Fixtures.newMachineId(), "hostname", "has space"))
                .post("/agent/v1/enroll")
                .then()
                .statusCode(400)
                .body("detail", containsString("hostname"));
        assertThat(uses(token)).isZero();
    }

    @Test
    void shouldRefuseADuplicateMachineWithoutSpendingAUse() {
        String token = tokens.enrollment(5);
        String id = Fixtures.newMachineId();
        enroll(token, id).then().statusCode(201);
        enroll(token, id).then().statusCode(409).body("detail", containsString("already enrolled"));
        assertThat(uses(token)).isEqualTo(1);
    }

    @Test
    void shouldNeverSpendMoreUsesThanAllowedUnderConcurrency() throws Exception {
        String token = tokens.enrollment(5);
        ExecutorService pool = Executors.newFixedThreadPool(10);
        try {
            List<Callable<Integer>> attempts = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                attempts.add(() -> enroll(token, Fixtures.newMachineId()).statusCode());
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> f : pool.invokeAll(attempts)) {
                statuses.add(f.get());
            }
            assertThat(statuses).filteredOn(s -> s == 201).hasSize(5);
            assertThat(statuses).filteredOn(s -> s == 401).hasSize(15);
        } finally {
            pool.shutdown();
        }
        assertThat(uses(token)).isEqualTo(5);
    }

    @Test
    void shouldEnrollOneMachineOnceWhenItAsksTwiceAtOnce() throws Exception {
        String token = tokens.enrollment(10);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 3; round++) {
                String id = Fixtures.newMachineId();
                List<Callable<Integer>> attempts = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    attempts.add(() -> enroll(token, id).statusCode());
                }
                List<Integer> statuses = new ArrayList<>();
                for (Future<Integer> f : pool.invokeAll(attempts)) {
                    statuses.add(f.get());
                }
                // One enrolls; the others meet it (409), never a 500, and spend no use.
                assertThat(statuses).filteredOn(s -> s == 201).hasSize(1);
                assertThat(statuses).filteredOn(s -> s == 409).hasSize(7);
            }
        } finally {
            pool.shutdown();
        }
        assertThat(uses(token)).isEqualTo(3);
    }

    @Test
    void shouldGiveACredentialThatIsNotTheEnrollmentToken() {
        String token = tokens.enrollment(1);
        String credential = Fixtures.enroll(token, Fixtures.newMachineId(), "fresh");
        assertThat(credential).startsWith("flm_").isNotEqualTo(token);
        // A machine credential is not an API token.
        as(credential).get("/api/v1/machines").then().statusCode(401);
    }

    private static Response enroll(String token, String machineId) {
        java.util.HashMap<String, Object> body = new java.util.HashMap<>();
        body.put("token", token);
        body.put("machineId", machineId);
        body.put("hostname", "host-" + machineId.length());
        return anonymous().body(body).post("/agent/v1/enroll");
    }

    @Transactional
    void expire(String secret) {
        em.createNativeQuery(
                        "update enrollment_token set expires_at = now() - interval '1 second' where secret_hash = sha256(convert_to(:s, 'UTF8'))")
                .setParameter("s", secret)
                .executeUpdate();
    }

    @Transactional
    int uses(String secret) {
        return ((Number) em.createNativeQuery(
                                "select uses from enrollment_token where secret_hash = sha256(convert_to(:s, 'UTF8'))")
                        .setParameter("s", secret)
                        .getSingleResult())
                .intValue();
    }
}
