package dev.flotilla.deploy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLS;
import io.fabric8.openshift.api.model.monitoring.v1.Endpoint;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * What reaches the service: its Service's two ports, the Ingress on {@code http} only (metrics
 * carry no token), agents' WebSockets with long timeouts, Prometheus on {@code management}.
 */
class ExposureTest {
    static List<String> overlays() {
        return Kustomize.overlays();
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void shouldServeHttpAndManagementPorts(String overlay) {
        Service service = Manifests.of(overlay).named(Service.class, "flotilla-service");

        assertThat(service.getSpec().getPorts())
                .extracting(p -> p.getName() + " " + p.getPort() + " "
                        + p.getTargetPort().getStrVal())
                .containsExactlyInAnyOrder("http 8080 http", "management 9000 management");
        assertThat(service.getSpec().getSelector()).containsEntry("app.kubernetes.io/name", "flotilla-service");
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void shouldRouteOnlyHttpPortsFromOutside(String overlay) {
        for (Ingress ingress : Manifests.of(overlay).all(Ingress.class)) {
            assertThat(paths(ingress))
                    .as(ingress.getMetadata().getName() + " routes ports named http, never management or a number")
                    .allSatisfy(p -> {
                        assertThat(p.getBackend().getService().getPort().getName())
                                .isEqualTo("http");
                        assertThat(p.getBackend().getService().getPort().getNumber())
                                .isNull();
                    });
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void shouldKeepAgentWebSocketsOpenForAnHour(String overlay) {
        List<Ingress> routingAgents = Manifests.of(overlay).all(Ingress.class).stream()
                .filter(i -> paths(i).stream().anyMatch(p -> p.getPath().equals("/agent/v1/connect")))
                .toList();

        assertThat(routingAgents).hasSize(1);
        Ingress agents = routingAgents.get(0);
        assertThat(paths(agents)).singleElement().satisfies(p -> {
            assertThat(p.getPathType()).isEqualTo("Exact");
            assertThat(p.getBackend().getService().getName()).isEqualTo("flotilla-service");
        });
        Map<String, String> annotations = agents.getMetadata().getAnnotations();
        assertThat(annotations)
                .containsEntry("nginx.ingress.kubernetes.io/proxy-read-timeout", "3600")
                .containsEntry("nginx.ingress.kubernetes.io/proxy-send-timeout", "3600");
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void shouldLetPrometheusScrapeTheManagementPort(String overlay) {
        ServiceMonitor monitor = Manifests.of(overlay).named(ServiceMonitor.class, "flotilla-service");

        assertThat(monitor.getSpec().getEndpoints())
                .extracting(Endpoint::getPort, Endpoint::getPath)
                .containsExactly(tuple("management", "/q/metrics"));
        assertThat(monitor.getSpec().getSelector().getMatchLabels())
                .containsEntry("app.kubernetes.io/name", "flotilla-service");
    }

    @Test
    void shouldServeEveryHostOverTlsInProduction() {
        Manifests production = Manifests.of("overlays/production");

        assertThat(production.all(Ingress.class)).isNotEmpty().allSatisfy(ingress -> {
            List<String> hosts = ingress.getSpec().getRules().stream()
                    .map(IngressRule::getHost)
                    .toList();
            assertThat(ingress.getSpec().getTls())
                    .as(ingress.getMetadata().getName() + " TLS")
                    .flatExtracting(IngressTLS::getHosts)
                    .containsAll(hosts);
        });
        Container keycloak = Containers.only(production.named(Deployment.class, "keycloak"));
        assertThat(Containers.value(keycloak, "FLOTILLA_URL")).startsWith("https://");
        assertThat(Containers.value(keycloak, "KC_HOSTNAME")).startsWith("https://");
    }

    private static List<HTTPIngressPath> paths(Ingress ingress) {
        return ingress.getSpec().getRules().stream()
                .flatMap(r -> r.getHttp().getPaths().stream())
                .toList();
    }
}
