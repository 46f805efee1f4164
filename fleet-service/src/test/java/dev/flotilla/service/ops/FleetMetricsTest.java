package dev.flotilla.service.ops;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import dev.flotilla.api.protocol.StateChange;
import dev.flotilla.api.protocol.StateChanges;
import dev.flotilla.api.protocol.UnitState;
import dev.flotilla.service.Fixtures;
import dev.flotilla.service.TestAgent;
import dev.flotilla.service.TestDatabase;
import dev.flotilla.service.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The operator's metrics: on the management port only, without a token, and they move with the fleet. */
@QuarkusTest
@QuarkusTestResource(TestDatabase.class)
class FleetMetricsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TestHTTPResource("/")
    URI base;

    @ConfigProperty(name = "quarkus.management.test-port", defaultValue = "9001")
    int managementPort;

    @Inject
    Vertx vertx;

    @Inject
    TestTokens tokens;

    @Inject
    FleetMetrics metrics;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void shouldServeMetricsOnTheManagementPortOnly() throws Exception {
        assertThat(scrape()).contains("flotilla_machines{presence=\"online\"}", "flotilla_database_up 1.0");
        // Not on the port the Ingress exposes, with or without a token.
        assertThat(given().redirects().follow(false).get("/q/metrics").statusCode())
                .isNotEqualTo(200);
        assertThat(given().header("Authorization", "Bearer " + tokens.api(dev.flotilla.service.tenant.Role.VIEWER))
                        .get("/q/metrics")
                        .statusCode())
                .isNotEqualTo(200);
    }

    @Test
    void shouldMoveWithAgentsMachinesUnitsAndIngest() throws Exception {
        String machineId = Fixtures.newMachineId();
        String credential = Fixtures.enroll(tokens.enrollment(1), machineId, "metrics-" + machineId.substring(0, 6));
        metrics.refresh();
        String before = scrape();
        double connected = value(before, "flotilla_agents_connected");
        double online = value(before, "flotilla_machines{presence=\"online\"}");
        double failed = value(before, "flotilla_units_failed");
        double ingested = value(before, "flotilla_ingest_lag_seconds_count");

        try (TestAgent agent = TestAgent.greeted(vertx, base, credential, machineId)) {
            agent.send(new StateChanges(List.of(StateChange.of(
                    1,
                    Instant.now().minusMillis(250),
                    new UnitState("metrics.service", "loaded", "failed", "failed", null, Instant.now(), null, true)))));
            await().atMost(WAIT).untilAsserted(() -> {
                metrics.refresh();
                String after = scrape();
                assertThat(value(after, "flotilla_agents_connected")).isEqualTo(connected + 1);
                assertThat(value(after, "flotilla_machines{presence=\"online\"}"))
                        .isEqualTo(online + 1);
                assertThat(value(after, "flotilla_units_failed")).isEqualTo(failed + 1);
                assertThat(value(after, "flotilla_ingest_lag_seconds_count")).isEqualTo(ingested + 1);
                // The transition was observed 250 ms before it was sent: its lag is at least that.
                assertThat(value(after, "flotilla_ingest_lag_seconds_max")).isGreaterThanOrEqualTo(0.25);
            });
        }
        await().atMost(WAIT)
                .untilAsserted(() ->
                        assertThat(value(scrape(), "flotilla_agents_connected")).isEqualTo(connected));
    }

    private String scrape() throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/q/metrics"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /** The value of one sample (name with its labels exactly as written), 0 when absent. */
    private static double value(String scrape, String sample) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(sample) + " ([0-9.eE+-]+)$")
                .matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
