package dev.flotilla.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keycloak imports the realm deploy/keycloak/flotilla-realm.json at its first start, and fills the
 * realm's placeholders from its own environment (as import.sh does on a host): the ConfigMap must
 * hold that file unchanged and the container must set every placeholder.
 */
class KeycloakTest {
    static List<String> overlays() {
        return Kustomize.overlays();
    }

    private static String realm() throws IOException {
        return Files.readString(Kustomize.ROOT.resolve("deploy/keycloak/flotilla-realm.json"));
    }

    @Test
    void shouldKeepTheBasesRealmCopyEqualToTheRealm() throws IOException {
        String copy = Files.readString(Kustomize.KUBERNETES.resolve("base/keycloak/flotilla-realm.json"));

        assertThat(copy)
                .as(
                        "deploy/kubernetes/base/keycloak/flotilla-realm.json is a copy of deploy/keycloak/flotilla-realm.json:"
                                + " copy it again")
                .isEqualTo(realm());
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void shouldImportTheRealmFromItsConfigMap(String overlay) throws IOException {
        Manifests manifests = Manifests.of(overlay);
        Deployment keycloak = manifests.named(Deployment.class, "keycloak");
        Container c = Containers.only(keycloak);
        Volume realm = Containers.pod(keycloak).getVolumes().stream()
                .filter(v -> v.getConfigMap() != null)
                .findFirst()
                .orElseThrow();
        ConfigMap map = manifests.named(ConfigMap.class, realm.getConfigMap().getName());

        assertThat(c.getArgs()).containsExactly("start", "--import-realm");
        assertThat(c.getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getName()).isEqualTo(realm.getName());
            assertThat(m.getMountPath()).isEqualTo("/opt/keycloak/data/import");
        });
        assertThat(map.getData()).containsExactly(Map.entry("flotilla-realm.json", realm()));
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void shouldSetEveryPlaceholderOfTheRealm(String overlay) throws IOException {
        Set<String> placeholders = new TreeSet<>();
        Matcher m = Pattern.compile("\\$\\{([A-Z0-9_]+)}").matcher(realm());
        while (m.find()) {
            placeholders.add(m.group(1));
        }
        Container c = Containers.only(Manifests.of(overlay).named(Deployment.class, "keycloak"));

        assertThat(placeholders).isNotEmpty();
        assertThat(c.getEnv()).extracting(EnvVar::getName).containsAll(placeholders);
        assertThat(Containers.value(c, "FLOTILLA_URL")).as("no trailing slash").doesNotEndWith("/");
        assertThat(Containers.value(c, "FLOTILLA_SMTP_AUTH")).isIn("true", "false");
        assertThat(Containers.value(c, "FLOTILLA_SMTP_STARTTLS")).isIn("true", "false");
    }

    /** The dashboard's address in the realm (redirects) and the Ingress that serves it agree. */
    @ParameterizedTest
    @MethodSource("overlays")
    void shouldRedirectToTheDashboardsOwnHost(String overlay) {
        Manifests manifests = Manifests.of(overlay);
        String url = Containers.value(Containers.only(manifests.named(Deployment.class, "keycloak")), "FLOTILLA_URL");
        String host = manifests
                .named(Ingress.class, "flotilla-service")
                .getSpec()
                .getRules()
                .get(0)
                .getHost();
        String keycloakUrl =
                Containers.value(Containers.only(manifests.named(Deployment.class, "keycloak")), "KC_HOSTNAME");
        String keycloakHost = manifests
                .named(Ingress.class, "keycloak")
                .getSpec()
                .getRules()
                .get(0)
                .getHost();

        assertThat(url).endsWith("://" + host);
        assertThat(keycloakUrl).endsWith("://" + keycloakHost);
    }
}
