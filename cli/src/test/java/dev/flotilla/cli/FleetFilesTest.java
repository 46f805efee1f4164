package dev.flotilla.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.flotilla.api.rest.RolloutPolicy;
import dev.flotilla.api.rest.UpdateWindow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Reading and checking the files, and the schema that documents them. */
class FleetFilesTest {
    private static final String UNIT = "[Service]\nExecStart=/bin/true\n";

    @TempDir
    Path dir;

    private FleetFiles.Desired read() throws Exception {
        return FleetFiles.read(List.of(dir));
    }

    @Test
    void shouldTakeUnitFilesTheDocumentDoesNotNameAsLaunched() throws Exception {
        Files.createDirectories(dir.resolve("units"));
        Files.writeString(dir.resolve("units/web.service"), UNIT);
        Files.writeString(dir.resolve("units/db.service"), UNIT);
        Files.writeString(dir.resolve("README.md"), "not a unit");
        Files.writeString(dir.resolve("flotilla.yaml"), """
                apiVersion: flotilla.dev/v1
                units:
                  - name: db.service
                    target: loaded
                  - name: web@1.service
                labels:
                  - selector: role=web
                    labels: {zone: a, old: "-", older: null}
                """);
        FleetFiles.Desired d = read();
        assertThat(d.units())
                .extracting(FleetFiles.DesiredUnit::name, FleetFiles.DesiredUnit::target)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("db.service", "loaded"),
                        org.assertj.core.groups.Tuple.tuple("web.service", "launched"),
                        org.assertj.core.groups.Tuple.tuple("web@1.service", "launched"));
        assertThat(d.units().get(2).content())
                .as("an instance takes its template's file")
                .isNull();
        assertThat(d.labels().get(0).labels())
                .containsEntry("zone", "a")
                .containsEntry("old", null)
                .containsEntry("older", null);
    }

    @Test
    void shouldNameFileAndFieldOfEveryProblem() throws Exception {
        Files.writeString(dir.resolve("other.service"), UNIT);
        Files.writeString(dir.resolve("flotilla.yaml"), """
                apiVersion: flotilla.dev/v2
                colour: red
                units:
                  - name: web.service
                    file: other.service
                  - name: db.service
                    target: started
                    content: "[Service]\\nExecStart=/bin/db\\n"
                  - name: gone.service
                updatePolicies:
                  - name: nightly
                    enabeld: true
                    windows: [{days: [MON], lenght: 3}]
                labels:
                  - selector: "role in (web"
                    labels: {ok: "not ok!"}
                """);
        FleetFiles.Invalid e = catchThrowableOfType(FleetFiles.Invalid.class, this::read);
        String doc = dir.resolve("flotilla.yaml").toString();
        assertThat(e.problems)
                .allSatisfy(p -> assertThat(p).startsWith(doc + ": "))
                .anySatisfy(p -> assertThat(p).contains("colour: unknown field"))
                .anySatisfy(p -> assertThat(p).contains("apiVersion: must be flotilla.dev/v1, not 'flotilla.dev/v2'"))
                .anySatisfy(p -> assertThat(p).contains("units[0] (web.service).file: the file name is the unit name"))
                .anySatisfy(p ->
                        assertThat(p).contains("units[1] (db.service).target: must be inactive, loaded or launched"))
                .anySatisfy(p -> assertThat(p).contains("units[2] (gone.service): no content, no file"))
                .anySatisfy(p -> assertThat(p).contains("updatePolicies[0].enabeld: unknown field"))
                .anySatisfy(p -> assertThat(p).contains("updatePolicies[0].windows[0].lenght: unknown field"))
                .anySatisfy(p -> assertThat(p).contains("labels[0].selector:"))
                .anySatisfy(p -> assertThat(p).contains("labels[0].labels.ok: invalid value 'not ok!'"));
    }

    @Test
    void shouldRefuseYamlThatDoesNotParseWithItsLine() throws Exception {
        Files.writeString(dir.resolve("flotilla.yaml"), "apiVersion: flotilla.dev/v1\nunits: [\n");
        assertThatThrownBy(this::read)
                .isInstanceOf(FleetFiles.Invalid.class)
                .hasMessageContaining("not valid YAML")
                .hasMessageContaining("line ");
    }

    @Test
    void shouldRefuseAKeyGivenTwiceAndASecondDocument() throws Exception {
        Files.writeString(dir.resolve("flotilla.yaml"), "apiVersion: flotilla.dev/v1\nunits: []\nunits: []\n");
        assertThatThrownBy(this::read).hasMessageContaining("Duplicate field 'units'");
        Files.writeString(
                dir.resolve("flotilla.yaml"), "apiVersion: flotilla.dev/v1\n---\napiVersion: flotilla.dev/v1\n");
        assertThatThrownBy(this::read).hasMessageContaining("holds 2 YAML documents; one per file");
    }

    @Test
    void shouldRefuseAUnitGivenTwice() throws Exception {
        Files.writeString(dir.resolve("web.service"), UNIT);
        Files.createDirectories(dir.resolve("units"));
        Files.writeString(dir.resolve("units/web.service"), UNIT);
        assertThatThrownBy(this::read).hasMessageContaining("unit web.service is also given by");
    }

    @Test
    void shouldCheckUnitFilesAsVerifyDoes() throws Exception {
        Files.writeString(dir.resolve("bad.service"), "[X-Fleet]\nMachineOf=a.service\nGlobal=true\n");
        assertThatThrownBy(this::read).hasMessageContaining("bad.service: ");
    }

    /** The schema documents the format the code reads: the same fields, and the API's for policies. */
    @Test
    void shouldKeepTheSchemaInStepWithTheFormatAndTheApi() throws Exception {
        JsonNode schema =
                Api.JSON.readTree(Path.of("../docs/flotilla-files.schema.json").toFile());
        JsonNode defs = schema.path("$defs");
        assertThat(names(schema.path("properties"))).isEqualTo(new TreeSet<>(FleetFiles.TOP));
        assertThat(names(defs.path("unit").path("properties"))).isEqualTo(new TreeSet<>(FleetFiles.UNIT));
        assertThat(names(defs.path("labelRule").path("properties"))).isEqualTo(new TreeSet<>(FleetFiles.RULE));
        assertThat(names(defs.path("updatePolicy").path("properties")))
                .isEqualTo(new TreeSet<>(Accepted.policyFields()));
        assertThat(names(defs.path("window").path("properties")))
                .isEqualTo(new TreeSet<>(Accepted.fields(UpdateWindow.class)));
        assertThat(names(defs.path("rollout").path("properties")))
                .isEqualTo(new TreeSet<>(Accepted.fields(RolloutPolicy.class)));
        assertThat(schema.path("properties").path("apiVersion").path("const").asText())
                .isEqualTo(FleetFiles.API_VERSION);
    }

    private static Set<String> names(JsonNode properties) {
        Set<String> names = new TreeSet<>();
        properties.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
