package dev.flotilla.deploy;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every tree of {@code deploy/kubernetes} renders, and every document it renders reads into the
 * type of its kind with no field left over.
 */
class RenderingTest {
    static Stream<String> trees() {
        return Stream.concat(Stream.of("base"), Kustomize.overlays().stream());
    }

    @Test
    void shouldHaveTheDevAndProductionOverlays() {
        assertThat(Kustomize.overlays()).contains("overlays/dev", "overlays/production");
    }

    @ParameterizedTest
    @MethodSource("trees")
    void shouldReadEveryDocumentIntoItsType(String tree) {
        Manifests manifests = Manifests.of(tree);

        assertThat(manifests.size()).as(tree + " renders documents").isGreaterThan(10);
    }

    @Test
    void shouldRefuseAKindWithoutAModel() {
        String yaml = """
                apiVersion: example.com/v1
                kind: Gadget
                metadata:
                  name: one
                """;

        assertThatThrownBy(() -> Manifests.parse(yaml))
                .isInstanceOf(Manifests.ManifestException.class)
                .hasMessageContaining("no model for example.com/v1 Gadget");
    }

    @Test
    void shouldRefuseAKeyGivenTwice() {
        String yaml = """
                apiVersion: v1
                kind: Service
                metadata:
                  name: one
                  name: two
                """;

        assertThatThrownBy(() -> Manifests.parse(yaml))
                .isInstanceOf(Manifests.ManifestException.class)
                .hasMessageContaining("Duplicate field 'name'");
    }

    @Test
    void shouldSplitDocumentsOnlyOnSeparatorLines() {
        String yaml = """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: one
                data:
                  text: "a --- b"
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: two
                """;

        assertThat(Manifests.parse(yaml).size()).isEqualTo(2);
    }
}
