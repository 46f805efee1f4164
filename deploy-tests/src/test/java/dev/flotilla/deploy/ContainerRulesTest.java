package dev.flotilla.deploy;

import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.apps.Deployment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rules every container of every Deployment keeps, in every overlay: three probes, requests and
 * limits, a pinned image, and a locked-down security context. The one exception is written here
 * with its reason, not skipped.
 */
class ContainerRulesTest {
    /** Containers allowed a writable root file system, and why. */
    private static final Map<String, String> WRITABLE_ROOT = Map.of(
            "keycloak",
            "`kc.sh start` re-builds Keycloak into /opt/keycloak/lib at every start; a read-only root needs a"
                    + " pre-built image started with --optimized");

    static List<String> overlays() {
        return Kustomize.overlays();
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void shouldProbeEveryContainerThreeWays(String overlay) {
        for (Deployment deployment : Manifests.of(overlay).all(Deployment.class)) {
            Container c = Containers.only(deployment);
            assertThat(c.getStartupProbe()).as(c.getName() + " startupProbe").isNotNull();
            assertThat(c.getReadinessProbe())
                    .as(c.getName() + " readinessProbe")
                    .isNotNull();
            assertThat(c.getLivenessProbe()).as(c.getName() + " livenessProbe").isNotNull();
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void shouldRequestAndLimitCpuAndMemory(String overlay) {
        for (Deployment deployment : Manifests.of(overlay).all(Deployment.class)) {
            Container c = Containers.only(deployment);
            assertThat(c.getResources().getRequests())
                    .as(c.getName() + " requests")
                    .containsKeys("cpu", "memory");
            assertThat(c.getResources().getLimits()).as(c.getName() + " limits").containsKeys("cpu", "memory");
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void shouldPinEveryImageToATagOtherThanLatest(String overlay) {
        for (Deployment deployment : Manifests.of(overlay).all(Deployment.class)) {
            String image = Containers.only(deployment).getImage();
            String lastPart = image.substring(image.lastIndexOf('/') + 1);
            assertThat(lastPart).as(image + " names a tag").contains(":");
            assertThat(lastPart.substring(lastPart.indexOf(':') + 1))
                    .as(image + "'s tag")
                    .isNotBlank()
                    .isNotEqualTo("latest");
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void shouldRunEveryContainerLockedDown(String overlay) {
        for (Deployment deployment : Manifests.of(overlay).all(Deployment.class)) {
            PodSecurityContext pod = Containers.pod(deployment).getSecurityContext();
            Container c = Containers.only(deployment);
            SecurityContext own = c.getSecurityContext();
            assertThat(own).as(c.getName() + " securityContext").isNotNull();
            assertThat(Objects.requireNonNullElse(own.getRunAsNonRoot(), pod.getRunAsNonRoot()))
                    .as(c.getName() + " runAsNonRoot")
                    .isTrue();
            assertThat(Objects.requireNonNullElse(own.getRunAsUser(), pod.getRunAsUser()))
                    .as(c.getName() + " runAsUser")
                    .isPositive();
            assertThat(own.getAllowPrivilegeEscalation())
                    .as(c.getName() + " allowPrivilegeEscalation")
                    .isFalse();
            assertThat(own.getCapabilities().getDrop())
                    .as(c.getName() + " drops")
                    .containsExactly("ALL");
            assertThat(own.getCapabilities().getAdd()).as(c.getName() + " adds").isNullOrEmpty();
            assertThat(Objects.requireNonNullElse(own.getSeccompProfile(), pod.getSeccompProfile())
                            .getType())
                    .as(c.getName() + " seccompProfile")
                    .isEqualTo("RuntimeDefault");
            assertThat(own.getPrivileged()).as(c.getName() + " privileged").isNotEqualTo(Boolean.TRUE);
            if (!WRITABLE_ROOT.containsKey(c.getName())) {
                assertThat(own.getReadOnlyRootFilesystem())
                        .as(c.getName() + " readOnlyRootFilesystem")
                        .isTrue();
            }
        }
    }
}
