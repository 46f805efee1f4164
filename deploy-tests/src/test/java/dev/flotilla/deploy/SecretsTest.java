package dev.flotilla.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.flotilla.deploy.cnpg.Cluster;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.apps.Deployment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No secret is written in the manifests: the operator creates the Secrets (deploy/README.md says
 * which, with their keys) or CloudNativePG does, and pods refer to them.
 */
class SecretsTest {
    private static final Pattern SECRET_NAME = Pattern.compile(".*(SECRET|PASSWORD|SESSION_KEY|TOKEN).*");

    static List<String> overlays() {
        return Kustomize.overlays();
    }

    @Test
    void shouldHoldNoSecretInTheBase() {
        assertThat(Manifests.of("base").all(Secret.class)).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void shouldHoldNoSecretInAnOverlay(String overlay) {
        assertThat(Manifests.of(overlay).all(Secret.class)).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void shouldGiveSecretSettingsOnlyByReference(String overlay) {
        for (Deployment deployment : Manifests.of(overlay).all(Deployment.class)) {
            Container c = Containers.only(deployment);
            assertThat(c.getEnv())
                    .filteredOn(e -> SECRET_NAME.matcher(e.getName()).matches())
                    .isNotEmpty()
                    .allSatisfy(e -> {
                        assertThat(e.getValue())
                                .as(c.getName() + " " + e.getName() + " literal")
                                .isNull();
                        assertThat(e.getValueFrom().getSecretKeyRef())
                                .as(e.getName())
                                .isNotNull();
                    });
        }
    }

    /** The operator can only create what deploy/README.md names; CloudNativePG makes {@code <cluster>-app}. */
    @ParameterizedTest
    @MethodSource("overlays")
    void shouldReferOnlyToDocumentedSecrets(String overlay) throws IOException {
        Manifests manifests = Manifests.of(overlay);
        String readme = Files.readString(Kustomize.ROOT.resolve("deploy/README.md"));
        List<String> made = manifests.all(Cluster.class).stream()
                .map(c -> c.metadata().getName() + "-app")
                .toList();

        for (Deployment deployment : manifests.all(Deployment.class)) {
            for (EnvVar e : Containers.only(deployment).getEnv()) {
                SecretKeySelector ref =
                        e.getValueFrom() == null ? null : e.getValueFrom().getSecretKeyRef();
                if (ref == null || made.contains(ref.getName())) {
                    continue;
                }
                assertThat(readme)
                        .as("deploy/README.md names Secret " + ref.getName() + " with key " + ref.getKey())
                        .contains(ref.getName())
                        .contains(ref.getKey());
                assertThat(ref.getOptional())
                        .as(e.getName() + " must not start without its Secret")
                        .isNotEqualTo(true);
            }
        }
        for (Cluster cluster : manifests.all(Cluster.class)) {
            if (cluster.spec().backup() != null) {
                Cluster.S3Credentials s3 =
                        cluster.spec().backup().barmanObjectStore().s3Credentials();
                assertThat(readme)
                        .contains(
                                s3.accessKeyId().name(),
                                s3.accessKeyId().key(),
                                s3.secretAccessKey().key());
            }
        }
    }
}
