package dev.flotilla.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A misspelt field fails, naming the field: in a fabric8 model (a container's
 * {@code readinessProbe}) and in our CloudNativePG records (a Cluster's {@code instances}). The
 * typos are made in a copy of {@code deploy/kubernetes}, which is then rendered like the real one:
 * Kustomize passes unknown fields through, the parsing must not.
 */
class StrictParsingTest {
    @TempDir
    Path copy;

    @Test
    void shouldNameAMisspeltFieldOfAContainer() throws IOException {
        misspell("base/flotilla-service/deployment.yaml", "readinessProbe:", "readinesProbe:");
        String rendered = Kustomize.renderFolder(copy.resolve("overlays/production"));

        assertThatThrownBy(() -> Manifests.parse(rendered))
                .isInstanceOf(Manifests.ManifestException.class)
                .hasMessageContaining("(Deployment flotilla-service)")
                .hasMessageContaining("Unrecognized field \"readinesProbe\"");
    }

    @Test
    void shouldNameAMisspeltFieldOfACluster() throws IOException {
        misspell("base/database/flotilla-db.yaml", "  instances: 3", "  instance: 3");
        String rendered = Kustomize.renderFolder(copy.resolve("overlays/production"));

        assertThatThrownBy(() -> Manifests.parse(rendered))
                .isInstanceOf(Manifests.ManifestException.class)
                .hasMessageContaining("(Cluster flotilla-db)")
                .hasMessageContaining("Unrecognized field \"instance\"");
    }

    @Test
    void shouldNameAMisspeltFieldOfMetadata() {
        String rendered = Kustomize.render("overlays/production");
        String typo = rendered.replaceFirst("\n  labels:\n", "\n  label:\n");

        assertThat(typo).isNotEqualTo(rendered);
        assertThatThrownBy(() -> Manifests.parse(typo)).hasMessageContaining("Unrecognized field \"label\"");
    }

    /**
     * Why {@link StrictYaml.NoCatchAll} exists: with FAIL_ON_UNKNOWN_PROPERTIES alone, fabric8 keeps
     * the typo in {@code additionalProperties} and the pod would have no readiness probe.
     */
    @Test
    void shouldShowThatFabric8KeepsUnknownFieldsWithoutTheStrictIntrospector() throws Exception {
        String deployment = """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: demo
                spec:
                  template:
                    spec:
                      containers:
                        - name: demo
                          image: demo:1
                          readinesProbe:
                            httpGet:
                              path: /q/health/ready
                              port: http
                """;
        YAMLMapper plain = YAMLMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build();

        Deployment lenient = plain.readValue(deployment, Deployment.class);

        Container container =
                lenient.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getReadinessProbe()).isNull();
        assertThat(container.getAdditionalProperties()).containsKey("readinesProbe");
        assertThatThrownBy(() -> StrictYaml.mapper().readValue(deployment, Deployment.class))
                .hasMessageContaining("Unrecognized field \"readinesProbe\"");
    }

    /** Copies deploy/kubernetes into the temporary folder with one text replaced once in one file. */
    private void misspell(String file, String from, String to) throws IOException {
        List<Path> sources;
        try (Stream<Path> walk = Files.walk(Kustomize.KUBERNETES)) {
            sources = walk.toList();
        }
        for (Path source : sources) {
            Path target = copy.resolve(Kustomize.KUBERNETES.relativize(source).toString());
            if (Files.isDirectory(source)) {
                Files.createDirectories(target);
            } else {
                Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Path edited = copy.resolve(file);
        String text = Files.readString(edited);
        assertThat(text).as(file + " contains " + from.strip()).contains(from);
        Files.writeString(edited, text.replaceFirst(Pattern.quote(from), Matcher.quoteReplacement(to)));
    }
}
