package dev.flotilla.service.tenant;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.flotilla.service.Api;
import dev.flotilla.service.TestDatabase;
import dev.flotilla.service.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

/**
 * Anyone can sign up: a person owns at most so many organizations, callers without credentials are
 * held to a rate per address, and what a caller holds open (live views, questions waiting for an
 * agent) is counted. With small limits of its own (a profile), so the other tests keep theirs.
 */
@QuarkusTest
@QuarkusTestResource(TestDatabase.class)
@TestProfile(QuotaAndAnonymousLimitTest.SmallLimits.class)
class QuotaAndAnonymousLimitTest {
    public static class SmallLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "flotilla.quota.orgs-per-person", "2",
                    "flotilla.limits.anonymous-per-second", "2",
                    "flotilla.limits.caller-per-second", "10",
                    "flotilla.limits.streams-per-caller", "1",
                    "flotilla.limits.questions-per-caller", "1");
        }
    }

    @jakarta.inject.Inject
    TestTokens tokens;

    @Test
    void shouldLetAPersonOwnOnlySoManyOrganizations() {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        UUID first = tokens.org("own-" + tag);
        tokens.person(first, "owner-" + tag, "an owner password " + tag, Role.OWNER);
        String cookie = Api.signIn("owner-" + tag, "an owner password " + tag);
        given().cookie("quarkus-credential", cookie)
                .contentType(ContentType.JSON)
                .body(Map.of("slug", "own2-" + tag, "name", "Second"))
                .post("/api/v1/orgs")
                .then()
                .statusCode(201);
        given().cookie("quarkus-credential", cookie)
                .contentType(ContentType.JSON)
                .body(Map.of("slug", "own3-" + tag, "name", "Third"))
                .post("/api/v1/orgs")
                .then()
                .statusCode(409)
                .contentType("application/problem+json")
                .body("detail", containsString("at most 2 organizations"));
        java.util.List<String> mine = given().cookie("quarkus-credential", cookie)
                .get("/api/v1/orgs")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("slug");
        assertThat(mine).containsExactlyInAnyOrder("own-" + tag, "own2-" + tag);
    }

    @io.quarkus.test.common.http.TestHTTPResource("/")
    java.net.URI base;

    @jakarta.inject.Inject
    io.vertx.core.Vertx vertx;

    @Test
    void shouldCountTheLiveViewsACallerHoldsOpen() throws Exception {
        String viewer = tokens.api(Role.VIEWER);
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpRequest live = java.net.http.HttpRequest.newBuilder(base.resolve("/live/presence"))
                .header("Authorization", "Bearer " + viewer)
                .header("Accept", "text/event-stream")
                .build();
        var first = http.send(live, java.net.http.HttpResponse.BodyHandlers.ofInputStream());
        assertThat(first.statusCode()).isEqualTo(200);
        var second = http.send(live, java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(second.statusCode()).isEqualTo(429);
        assertThat(second.headers().firstValue("Retry-After")).isPresent();
        assertThat(second.body()).contains("too many live views open");
        first.body().close(); // the view is closed: its place is free again
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(10))
                .until(() -> {
                    var again = http.send(live, java.net.http.HttpResponse.BodyHandlers.ofInputStream());
                    again.body().close();
                    return again.statusCode() == 200;
                });
    }

    @Test
    void shouldCountTheQuestionsACallerHasWaitingWithoutHoldingAThread() throws Exception {
        String operator = tokens.api(Role.OPERATOR);
        String machine = dev.flotilla.service.Fixtures.newMachineId();
        String credential = dev.flotilla.service.Fixtures.enroll(tokens.enrollment(1), machine, "asked");
        try (var agent = dev.flotilla.service.TestAgent.greeted(vertx, base, credential, machine)) {
            var waiting = java.util.concurrent.CompletableFuture.supplyAsync(() -> dev.flotilla.service.Api.as(operator)
                    .get("/api/v1/machines/" + machine + "/units/a.service/status"));
            dev.flotilla.api.protocol.Frame asked = agent.next(java.time.Duration.ofSeconds(10));
            while (!(asked instanceof dev.flotilla.api.protocol.UnitQuery)) {
                asked = agent.next(java.time.Duration.ofSeconds(10));
            }
            // The first question waits for the agent: a second one of the same caller is refused at once.
            dev.flotilla.service.Api.as(operator)
                    .get("/api/v1/machines/" + machine + "/units/b.service/status")
                    .then()
                    .statusCode(429)
                    .header("Retry-After", "1");
            agent.send(new dev.flotilla.api.protocol.UnitQueryReply(
                    ((dev.flotilla.api.protocol.UnitQuery) asked).requestId(), null, null, "no such unit"));
            assertThat(waiting.get().statusCode()).isEqualTo(502);
        }
    }

    @Test
    void shouldHoldCallersWithoutCredentialsToARatePerAddress() {
        int refused = 0;
        String retryAfter = null;
        for (int i = 0; i < 20; i++) {
            Response r = given().contentType(ContentType.JSON)
                    .body(Map.of("token", "fle_nope", "machineId", "0123456789abcdef0123456789abcdef", "hostname", "h"))
                    .post("/agent/v1/enroll");
            if (r.statusCode() == 429) {
                refused++;
                retryAfter = r.header("Retry-After");
                assertThat(r.contentType()).startsWith("application/problem+json");
            } else {
                assertThat(r.statusCode()).as(r.body().asString()).isIn(400, 401, 403);
            }
        }
        assertThat(refused)
                .as("of 20 enrollments at once, at 2 a second with bursts of 4")
                .isGreaterThan(10);
        assertThat(retryAfter).isNotNull();
    }

    @Test
    void shouldAnswerACallerThatIgnoresRetryAfterOnlyAfterTheGateDelay() throws Exception {
        // 10 a second per caller (bursts of 20) after sign-in; the gate before it at twice that
        // (bursts of 40). Sixty requests at once: some allowed, some refused by the caller's rate at
        // once, and the rest refused by the gate, each answered a second late.
        String viewer = tokens.api(Role.VIEWER);
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpRequest units = java.net.http.HttpRequest.newBuilder(base.resolve("/api/v1/units"))
                .header("Authorization", "Bearer " + viewer)
                .build();
        java.util.List<java.util.concurrent.CompletableFuture<long[]>> answers = new java.util.ArrayList<>();
        java.util.Map<String, String> bodies = new java.util.concurrent.ConcurrentHashMap<>();
        for (int i = 0; i < 60; i++) {
            long t0 = System.nanoTime();
            answers.add(http.sendAsync(units, java.net.http.HttpResponse.BodyHandlers.ofString())
                    .thenApply(r -> {
                        long millis = (System.nanoTime() - t0) / 1_000_000;
                        boolean gate = r.statusCode() == 429 && r.body().contains("with this credential");
                        if (r.statusCode() == 429) {
                            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
                            assertThat(r.headers().firstValue("Retry-After")).isPresent();
                            bodies.put(gate ? "gate" : "rate", r.body());
                        }
                        return new long[] {r.statusCode(), gate ? 1 : 0, millis};
                    }));
        }
        java.util.List<long[]> all = answers.stream()
                .map(java.util.concurrent.CompletableFuture::join)
                .toList();
        assertThat(all).anyMatch(a -> a[0] == 200);
        assertThat(bodies).as("refusals by the caller's rate and by the gate").containsKeys("rate", "gate");
        assertThat(all.stream().filter(a -> a[1] == 1))
                .as("the gate's refusals are answered after its delay (1 s)")
                .allMatch(a -> a[2] >= 950);
        assertThat(all.stream().filter(a -> a[0] == 429 && a[1] == 0))
                .as("the caller's rate refuses at once")
                .anyMatch(a -> a[2] < 950);
    }
}
