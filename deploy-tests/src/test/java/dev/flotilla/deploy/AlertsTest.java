package dev.flotilla.deploy;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.Rule;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The alerts an operator gets, on the metric names the service exports (fleet-service's
 * {@code ops} package). A renamed metric leaves an alert that never fires: these names are exact.
 */
class AlertsTest {
    private static Map<String, Rule> alerts() {
        PrometheusRule rules = Manifests.of("overlays/production").named(PrometheusRule.class, "flotilla-service");
        return rules.getSpec().getGroups().stream()
                .flatMap(g -> g.getRules().stream())
                .collect(Collectors.toMap(Rule::getAlert, r -> r));
    }

    @Test
    void shouldAlertWhenAgentsDropByAFifthInTenMinutes() {
        Rule rule = alerts().get("FlotillaAgentsDropping");

        assertThat(rule.getExpr().getStrVal())
                .isEqualTo("sum(flotilla_agents_connected) < 0.8 * sum(flotilla_agents_connected offset 10m)");
    }

    @Test
    void shouldAlertWhenIngestLagsOverTwoSeconds() {
        Rule rule = alerts().get("FlotillaIngestLagHigh");

        assertThat(rule.getExpr().getStrVal())
                .isEqualTo("histogram_quantile(0.99, sum(rate(flotilla_ingest_lag_seconds_bucket[5m])) by (le)) > 2");
    }

    @Test
    void shouldAlertWhenNoReplicaLeadsTheScheduler() {
        Rule rule = alerts().get("FlotillaSchedulerNotLeading");

        assertThat(rule.getExpr().getStrVal()).isEqualTo("max(flotilla_scheduler_leader) == 0");
        assertThat(rule.getFor()).isEqualTo("2m");
    }

    @Test
    void shouldAlertWhenTheDatabaseIsDown() {
        Rule rule = alerts().get("FlotillaDatabaseUnavailable");

        assertThat(rule.getExpr().getStrVal()).isEqualTo("min(flotilla_database_up) == 0");
        assertThat(rule.getFor()).isEqualTo("1m");
    }

    @Test
    void shouldGiveEveryAlertASeverityAndASummary() {
        assertThat(alerts().values()).allSatisfy(rule -> {
            assertThat(rule.getLabels()).containsKey("severity");
            assertThat(rule.getAnnotations()).containsKey("summary");
        });
        assertThat(alerts().keySet())
                .containsAll(List.of(
                        "FlotillaAgentsDropping",
                        "FlotillaIngestLagHigh",
                        "FlotillaSchedulerNotLeading",
                        "FlotillaDatabaseUnavailable"));
    }
}
