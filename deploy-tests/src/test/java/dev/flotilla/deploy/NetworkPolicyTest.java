package dev.flotilla.deploy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The service's pods accept the dashboard, API and agents only from the ingress controller, metrics
 * only from Prometheus, and reach out only to PostgreSQL, Keycloak and DNS.
 */
class NetworkPolicyTest {
    static List<String> overlays() {
        return Kustomize.overlays();
    }

    private static NetworkPolicy policy(String overlay) {
        return Manifests.of(overlay).named(NetworkPolicy.class, "flotilla-service");
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void shouldAdmitHttpFromTheIngressControllerAndMetricsFromMonitoringOnly(String overlay) {
        NetworkPolicy policy = policy(overlay);

        assertThat(policy.getSpec().getPodSelector().getMatchLabels())
                .containsEntry("app.kubernetes.io/name", "flotilla-service");
        assertThat(policy.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
        assertThat(policy.getSpec().getIngress())
                .extracting(NetworkPolicyTest::describe)
                .containsExactlyInAnyOrder("ns ingress-nginx -> 8080", "ns monitoring -> 9000");
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void shouldReachOnlyPostgresqlKeycloakAndDns(String overlay) {
        assertThat(policy(overlay).getSpec().getEgress())
                .extracting(NetworkPolicyTest::describe)
                .containsExactlyInAnyOrder(
                        "pods cnpg.io/cluster=flotilla-db -> 5432",
                        "pods app.kubernetes.io/name=keycloak -> 8080",
                        "ns kube-system pods k8s-app=kube-dns -> 53/UDP 53/TCP");
    }

    private static String describe(NetworkPolicyIngressRule rule) {
        return peers(rule.getFrom()) + " -> " + ports(rule.getPorts());
    }

    private static String describe(NetworkPolicyEgressRule rule) {
        return peers(rule.getTo()) + " -> " + ports(rule.getPorts());
    }

    private static String peers(List<NetworkPolicyPeer> peers) {
        assertThat(peers).as("one peer per rule").hasSize(1);
        NetworkPolicyPeer peer = peers.get(0);
        assertThat(peer.getIpBlock()).isNull();
        StringBuilder text = new StringBuilder();
        if (peer.getNamespaceSelector() != null) {
            text.append("ns ")
                    .append(peer.getNamespaceSelector().getMatchLabels().get("kubernetes.io/metadata.name"));
        }
        if (peer.getPodSelector() != null) {
            Map<String, String> labels = peer.getPodSelector().getMatchLabels();
            text.append(text.isEmpty() ? "" : " ").append("pods ");
            labels.forEach((k, v) -> text.append(k).append('=').append(v));
        }
        return text.toString();
    }

    private static String ports(List<NetworkPolicyPort> ports) {
        if (ports.size() == 1) {
            return String.valueOf(ports.get(0).getPort().getIntVal());
        }
        return String.join(
                " ",
                ports.stream()
                        .map(p -> p.getPort().getIntVal() + "/" + p.getProtocol())
                        .toList());
    }
}
