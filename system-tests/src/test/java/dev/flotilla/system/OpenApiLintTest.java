package dev.flotilla.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged service's OpenAPI document passes Redocly's linter with its recommended rules, with
 * no error and no warning: every operation named, described by tags, with its security and its 4xx
 * answers. Redocly's CLI comes from npm (deploy/ci/prepare-test-machine.sh installs it).
 */
class OpenApiLintTest {
    private static final Path REDOCLY = Path.of(
            System.getenv().getOrDefault("FLOTILLA_TEST_CACHE", "/var/cache/flotilla-test"),
            "redocly/node_modules/.bin/redocly");

    @Test
    void shouldPassRedoclysRecommendedRulesWithoutAWarning() throws Exception {
        assertThat(REDOCLY)
                .as("Redocly's CLI (deploy/ci/prepare-test-machine.sh installs it)")
                .exists();
        try (RunningService service = new RunningService("openapi")) {
            Project.Reply doc = Project.get(service.url + "/q/openapi?format=json", null);
            assertThat(doc.status()).isEqualTo(200);
            Path file = service.work.resolve("openapi.json");
            Files.writeString(file, doc.body().toPrettyString());
            assertThat(doc.body().at("/paths").size())
                    .as("operations in the document")
                    .isGreaterThan(50);

            Process p = new ProcessBuilder(
                            REDOCLY.toString(), "lint", "--extends=recommended", "--format=summary", file.toString())
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("redocly lint did not finish in 120 s");
            }
            System.out.println(out);
            assertThat(p.exitValue()).as(out).isZero();
            assertThat(out).as("no error and no warning").doesNotContainPattern("(?m)^(error|warning)\\s");
            assertThat(out).contains("valid");
        }
    }
}
