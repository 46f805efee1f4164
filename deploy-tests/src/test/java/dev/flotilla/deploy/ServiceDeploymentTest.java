package dev.flotilla.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fleet service's Deployment in every overlay: what the service needs from its pod (health
 * paths, time to migrate, time to stop, one writable folder) and its settings, each one the service
 * reads, secrets only by reference.
 */
class ServiceDeploymentTest {
    static List<String> overlays() {
        return Kustomize.overlays();
    }

    private static Container service(String overlay) {
        return Containers.only(Manifests.of(overlay).named(Deployment.class, "flotilla-service"));
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void shouldProbeTheHealthEndpointsOnTheHttpPort(String overlay) {
        Container c = service(overlay);

        assertThat(get(c.getStartupProbe())).isEqualTo("http /q/health/started");
        assertThat(get(c.getReadinessProbe())).isEqualTo("http /q/health/ready");
        assertThat(get(c.getLivenessProbe())).isEqualTo("http /q/health/live");
        assertThat(c.getPorts())
                .extracting(p -> p.getName() + " " + p.getContainerPort())
                .containsExactlyInAnyOrder("http 8080", "management 9000");
    }

    /** {@code ./flotilla image} tags the image with the project's version (less -SNAPSHOT). */
    @ParameterizedTest
    @MethodSource("overlays")
    void shouldRunTheImageOfThisVersion(String overlay) throws IOException {
        Matcher version = Pattern.compile("<artifactId>flotilla-parent</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(Kustomize.ROOT.resolve("pom.xml")));
        assertThat(version.find()).as("the root pom's version").isTrue();

        assertThat(service(overlay).getImage())
                .matches("(.*/)?flotilla-service:"
                        + Pattern.quote(version.group(1).replace("-SNAPSHOT", "")));
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void shouldGiveFlywayMinutesToMigrateBeforeTheLivenessProbeCounts(String overlay) {
        Probe startup = service(overlay).getStartupProbe();

        assertThat(startup.getPeriodSeconds() * startup.getFailureThreshold()).isGreaterThanOrEqualTo(300);
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void shouldLetTheServiceStopBeforeItIsKilled(String overlay) {
        PodSpec pod = Containers.pod(Manifests.of(overlay).named(Deployment.class, "flotilla-service"));
        Container c = Containers.only(Manifests.of(overlay).named(Deployment.class, "flotilla-service"));
        long preStop = c.getLifecycle() == null || c.getLifecycle().getPreStop() == null
                ? 0
                : c.getLifecycle().getPreStop().getSleep().getSeconds();

        // The service ends within about 20 s of SIGTERM (quarkus.shutdown.timeout and the worker pool).
        assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(30);
        assertThat(preStop + 20).isLessThanOrEqualTo(pod.getTerminationGracePeriodSeconds());
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void shouldWriteOnlyToAnEmptyDirAtTmp(String overlay) {
        Deployment deployment = Manifests.of(overlay).named(Deployment.class, "flotilla-service");
        Container c = Containers.only(deployment);

        assertThat(c.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getVolumeMounts()).extracting(VolumeMount::getMountPath).containsExactly("/tmp");
        String volume = c.getVolumeMounts().get(0).getName();
        assertThat(Containers.pod(deployment).getVolumes())
                .filteredOn(v -> v.getName().equals(volume))
                .extracting(Volume::getEmptyDir)
                .doesNotContainNull()
                .hasSize(1);
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void shouldSpreadAcrossNodesAndZones(String overlay) {
        PodSpec pod = Containers.pod(Manifests.of(overlay).named(Deployment.class, "flotilla-service"));

        assertThat(pod.getTopologySpreadConstraints())
                .extracting(TopologySpreadConstraint::getTopologyKey)
                .containsExactlyInAnyOrder("kubernetes.io/hostname", "topology.kubernetes.io/zone");
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void shouldReachTheDatabaseAsItsOwnerFromCloudNativePgsSecret(String overlay) {
        Container c = service(overlay);

        assertThat(Containers.value(c, "FLOTILLA_DB_URL")).isEqualTo("jdbc:postgresql://flotilla-db-rw:5432/flotilla");
        assertThat(secretRef(c, "FLOTILLA_DB_USER")).isEqualTo("flotilla-db-app/username");
        assertThat(secretRef(c, "FLOTILLA_DB_PASSWORD")).isEqualTo("flotilla-db-app/password");
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void shouldSetTheServicesSettings(String overlay) {
        Container c = service(overlay);

        assertThat(Containers.value(c, "FLOTILLA_AUTH_MODE")).isEqualTo("oidc");
        assertThat(Containers.value(c, "FLOTILLA_LOG_JSON")).isEqualTo("true");
        // The metrics port listens on 127.0.0.1 unless told otherwise: Prometheus could not reach it.
        assertThat(Containers.value(c, "FLOTILLA_MANAGEMENT_HOST")).isEqualTo("0.0.0.0");
        assertThat(Containers.value(c, "JAVA_TOOL_OPTIONS")).contains("-XX:MaxRAMPercentage=75");
        for (String secret :
                List.of("FLOTILLA_OIDC_SECRET", "FLOTILLA_KEYCLOAK_ADMIN_SECRET", "FLOTILLA_SESSION_KEY")) {
            assertThat(secretRef(c, secret)).as(secret).isNotNull();
        }
    }

    /** A misspelt setting ({@code FLOTILLA_SESION_KEY}) would be ignored by the service, silently. */
    @ParameterizedTest
    @MethodSource("overlays")
    void shouldSetOnlySettingsTheServiceReads(String overlay) throws IOException {
        Set<String> known = settingsTheServiceReads();

        assertThat(service(overlay).getEnv())
                .extracting(EnvVar::getName)
                .filteredOn(n -> n.startsWith("FLOTILLA_"))
                .allSatisfy(
                        n -> assertThat(known).as("settings the service reads").contains(n));
    }

    private static String get(Probe probe) {
        HTTPGetAction get = probe.getHttpGet();
        return get.getPort().getStrVal() + " " + get.getPath();
    }

    private static String secretRef(Container c, String name) {
        EnvVar var = Containers.env(c, name).orElseThrow(() -> new AssertionError("no " + name));
        assertThat(var.getValue()).as(name + " is not a literal").isNull();
        var ref = var.getValueFrom().getSecretKeyRef();
        return ref.getName() + "/" + ref.getKey();
    }

    /**
     * FLOTILLA_* names in the service's code and application.properties, and in the README's
     * configuration table (where {@code flotilla.x-y} is also {@code FLOTILLA_X_Y}).
     */
    private static Set<String> settingsTheServiceReads() throws IOException {
        Pattern name = Pattern.compile("FLOTILLA_[A-Z0-9_]*[A-Z0-9]");
        Set<String> known = new TreeSet<>();
        Path main = Kustomize.ROOT.resolve("fleet-service/src/main");
        try (Stream<Path> files = Files.walk(main)) {
            for (Path file : files.filter(
                            f -> f.toString().endsWith(".java") || f.toString().endsWith(".properties"))
                    .collect(Collectors.toList())) {
                Matcher m = name.matcher(Files.readString(file));
                while (m.find()) {
                    known.add(m.group());
                }
            }
        }
        String readme = Files.readString(Kustomize.ROOT.resolve("README.md"));
        Matcher m = name.matcher(readme);
        while (m.find()) {
            known.add(m.group());
        }
        Matcher property = Pattern.compile("`(flotilla\\.[a-z.-]+)`").matcher(readme);
        while (property.find()) {
            known.add(property.group(1).toUpperCase().replace('.', '_').replace('-', '_'));
        }
        return known;
    }
}
