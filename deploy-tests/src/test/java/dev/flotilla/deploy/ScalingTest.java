package dev.flotilla.deploy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.flotilla.deploy.cnpg.Cluster;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How many replicas run where: one in dev; in production three, two kept through drains, more on
 * CPU, never so many that they exhaust the database's connections.
 */
class ScalingTest {
    private static final String PRODUCTION = "overlays/production";

    static List<String> overlays() {
        return Kustomize.overlays();
    }

    @Test
    void shouldRunOneReplicaInDev() {
        Manifests dev = Manifests.of("overlays/dev");

        assertThat(dev.named(Deployment.class, "flotilla-service").getSpec().getReplicas())
                .isEqualTo(1);
        assertThat(dev.all(HorizontalPodAutoscaler.class)).isEmpty();
    }

    @Test
    void shouldRunThreeReplicasInProduction() {
        Manifests production = Manifests.of(PRODUCTION);

        assertThat(production
                        .named(Deployment.class, "flotilla-service")
                        .getSpec()
                        .getReplicas())
                .isEqualTo(3);
        assertThat(Containers.value(
                        Containers.only(production.named(Deployment.class, "flotilla-service")), "FLOTILLA_AUTH_MODE"))
                .isEqualTo("oidc");
    }

    @Test
    void shouldKeepTwoReplicasThroughDisruptionsInProduction() {
        PodDisruptionBudget pdb = Manifests.of(PRODUCTION).named(PodDisruptionBudget.class, "flotilla-service");

        assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(2);
        assertThat(pdb.getSpec().getMaxUnavailable()).isNull();
        assertThat(pdb.getSpec().getSelector().getMatchLabels())
                .containsEntry("app.kubernetes.io/name", "flotilla-service");
    }

    @Test
    void shouldScaleTheServiceOnCpuInProduction() {
        HorizontalPodAutoscaler hpa = Manifests.of(PRODUCTION).named(HorizontalPodAutoscaler.class, "flotilla-service");

        assertThat(hpa.getApiVersion()).isEqualTo("autoscaling/v2");
        assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo("flotilla-service");
        assertThat(hpa.getSpec().getMinReplicas()).isGreaterThanOrEqualTo(3);
        assertThat(hpa.getSpec().getMetrics())
                .extracting(MetricSpec::getResource)
                .extracting(r -> r.getName())
                .containsExactly("cpu");
    }

    /** Each replica holds its pool plus its LISTEN connection and the scheduler's lock connection. */
    @ParameterizedTest
    @MethodSource("overlays")
    void shouldNeverScaleBeyondTheDatabasesConnections(String overlay) {
        Manifests manifests = Manifests.of(overlay);
        Deployment service = manifests.named(Deployment.class, "flotilla-service");
        int replicas = manifests.all(HorizontalPodAutoscaler.class).stream()
                .mapToInt(h -> h.getSpec().getMaxReplicas())
                .max()
                .orElse(service.getSpec().getReplicas());
        int pool = Integer.parseInt(Containers.value(Containers.only(service), "FLOTILLA_DB_POOL"));
        Cluster db = manifests.named(Cluster.class, "flotilla-db");
        int maxConnections =
                Integer.parseInt(db.spec().postgresql().parameters().get("max_connections"));
        int reservedForSuperusers = 3;

        assertThat(replicas * (pool + 2)).isLessThanOrEqualTo(maxConnections - reservedForSuperusers);
    }
}
