package dev.flotilla.api.unit;

import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Unit files and [X-Fleet] as coreos/fleet read them (job/job.go, unit/unit.go, api/units.go). */
class FleetRequirementsTest {
    private static FleetRequirements req(String xfleet, String name) {
        return FleetRequirements.of(UnitFile.parse("[Service]\nExecStart=/bin/true\n[X-Fleet]\n" + xfleet), name);
    }

    @Test
    void shouldParseSectionsCommentsAndContinuations() {
        UnitFile f = UnitFile.parse("""
                # a comment
                [Unit]
                Description=A long\\
                  description
                ; another comment
                [Service]
                ExecStart=/bin/sleep 1
                Environment=A=1
                Environment=B=2
                """);
        assertThat(f.values("Unit", "Description")).containsExactly("A long description");
        assertThat(f.values("Service", "Environment")).containsExactly("A=1", "B=2");
        assertThat(f.serialize())
                .isEqualTo("[Unit]\nDescription=A long description\n\n[Service]\nExecStart=/bin/sleep 1\n"
                        + "Environment=A=1\nEnvironment=B=2\n");
        // The same content however it is laid out has the same hash.
        assertThat(UnitFile.parse(f.serialize()).hash()).isEqualTo(f.hash()).hasSize(40);
    }

    @Test
    void shouldRefuseWhatIsNotAUnitFile() {
        assertThatThrownBy(() -> UnitFile.parse("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> UnitFile.parse("ExecStart=/bin/true")).hasMessageContaining("outside of any");
        assertThatThrownBy(() -> UnitFile.parse("[Service\nA=b")).hasMessageContaining("section header");
        assertThatThrownBy(() -> UnitFile.parse("[Service]\njust words")).hasMessageContaining("Name=Value");
        assertThatThrownBy(() -> UnitFile.parse("[Service]\nA=" + "x".repeat(70_000)))
                .hasMessageContaining("larger than");
        assertThatThrownBy(() -> UnitFile.parse("[Service]\nA=" + "x".repeat(3000)))
                .hasMessageContaining("longer than");
        assertThatThrownBy(() -> UnitFile.parse("[Service]\nA=\0")).hasMessageContaining("NUL");
    }

    @Test
    void shouldGiveMachinesTheFileWithoutItsFleetSection() {
        UnitFile f = UnitFile.parse("[Service]\nExecStart=/bin/true\n[X-Fleet]\nGlobal=true\n");
        assertThat(f.systemdContent()).isEqualTo("[Service]\nExecStart=/bin/true\n");
    }

    @Test
    void shouldMergeDeprecatedSpellingsFirstAndSplitQuotedValues() {
        FleetRequirements r = req("""
                X-ConditionMachineOf=old.service
                MachineOf="a.service" "b.service"
                X-Conflicts=legacy*
                Conflicts=web*
                MachineMetadata="region=eu" "disk=ssd"
                MachineMetadata=region=us
                X-ConditionMachineMetadata=role=web
                """, "x.service");
        assertThat(r.machineOf()).containsExactly("old.service", "a.service", "b.service");
        assertThat(r.conflicts()).containsExactly("legacy*", "web*");
        assertThat(r.metadata())
                .containsEntry("region", Set.of("eu", "us"))
                .containsEntry("disk", Set.of("ssd"))
                .containsEntry("role", Set.of("web"));
    }

    @Test
    void shouldMatchMetadataAsFleetDidAnyValueOfEveryKey() {
        FleetRequirements r =
                req("MachineMetadata=region=eu\nMachineMetadata=region=us\nMachineMetadata=disk=ssd", "x.service");
        assertThat(r.matchesLabels(Map.of("region", "us", "disk", "ssd"))).isTrue();
        assertThat(r.matchesLabels(Map.of("region", "eu", "disk", "ssd", "other", "1")))
                .isTrue();
        assertThat(r.matchesLabels(Map.of("region", "ap", "disk", "ssd"))).isFalse();
        assertThat(r.matchesLabels(Map.of("region", "eu"))).isFalse();
        // Values that are not key=value are ignored, as fleet ignored them.
        assertThat(req("MachineMetadata=foo=\nMachineMetadata==x\nMachineMetadata=a=b=c", "x.service")
                        .metadata())
                .isEmpty();
    }

    @Test
    void shouldReadGlobalAndMachineIdAsFleetDid() {
        assertThat(req("Global=True", "x.service").global()).isTrue();
        assertThat(req("Global=yes", "x.service").global()).isTrue();
        assertThat(req("Global=true\nGlobal=false", "x.service").global()).isFalse();
        assertThat(req("global=true", "x.service").global()).isFalse();
        assertThat(req("MachineID=\"123\" \"456\"", "x.service").machineId()).isEqualTo("123");
        assertThat(req("X-ConditionMachineID=abc\nX-ConditionMachineBootID=def", "x.service")
                        .machineId())
                .isEqualTo("abc");
    }

    @Test
    void shouldReplaceSpecifiersForTheUnitsName() {
        FleetRequirements r =
                req("MachineOf=%p.socket\nConflicts=%N-*\nMachineMetadata=shard=%i\nReplaces=%n.old", "web@3.service");
        assertThat(r.machineOf()).containsExactly("web.socket");
        assertThat(r.conflicts()).containsExactly("web@3-*");
        assertThat(r.metadata()).containsEntry("shard", Set.of("3"));
        assertThat(r.replaces()).containsExactly("web@3.service.old");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "MachineID=m1\\nMachineOf=a.service|MachineID cannot be used with Peers",
                "MachineID=m1\\nConflicts=a*|MachineID cannot be used with Conflicts",
                "MachineID=m1\\nGlobal=true|MachineID cannot be used with Global",
                "MachineID=m1\\nReplaces=a*|MachineID cannot be used with Replaces",
                "Global=true\\nMachineOf=a.service|Global cannot be used with Peers",
                "Global=true\\nReplaces=a*|Global cannot be used with Replaces",
                "Conflicts=a*\\nReplaces=b*|Conflicts cannot be used with Replaces",
                "MachineOf=db.service\\nConflicts=db*|unresolvable requirements: peer \"db.service\" matches conflict \"db*\"",
                "MachineOf=bar.service\\nReplaces=bar.service|unresolvable requirements: peer \"bar.service\" matches replace \"bar.service\"",
            })
    void shouldRefuseFleetsImpossibleCombinations(String xfleet, String problem) {
        assertThat(req(xfleet.replace("\\n", "\n"), "x.service").problem()).isEqualTo(problem);
    }

    @Test
    void shouldAcceptWhatFleetAccepted() {
        assertThat(req("Global=true\nConflicts=a*", "x.service").problem()).isNull();
        assertThat(req("Global=true\nMachineMetadata=role=web", "x.service").problem())
                .isNull();
        assertThat(req("MachineOf=a.service\nConflicts=b*", "x.service").problem())
                .isNull();
        assertThat(req("MachineOf=a.service\nReplaces=b*", "x.service").problem())
                .isNull();
        assertThat(req("Unknown=ignored", "x.service").problem()).isNull();
    }

    @Test
    void shouldMatchConflictsBothWaysButNeverWithItself() {
        FleetRequirements web = req("Conflicts=web*", "web1.service");
        FleetRequirements plain = req("Global=false", "web2.service");
        assertThat(web.conflictsWith("web1.service", "web2.service", plain)).isTrue();
        assertThat(plain.conflictsWith("web2.service", "web1.service", web)).isTrue();
        assertThat(web.conflictsWith("web1.service", "web1.service", web)).isFalse();
        assertThat(web.conflictsWith("web1.service", "db.service", plain)).isFalse();
        assertThat(FleetRequirements.glob("web[^0-9].service", "webx.service")).isTrue();
        assertThat(FleetRequirements.glob("web[^0-9].service", "web1.service")).isFalse();
        assertThat(FleetRequirements.glob("[bad", "x")).isFalse();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "''|unit name cannot be empty",
                "nodot|unit name must contain \".\"",
                "x.|unit name cannot end in \".\"",
                "x.exe|invalid unit type: \"exe\"",
                "x.servICE|invalid unit type: \"servICE\"",
                "foo@.mount|invalid unit type for template: \"foo@.mount\"",
                "a%b.service|invalid character in unit name",
                "../x.service|invalid character in unit name",
                "@x.service|unit name cannot start in \"@\"",
            })
    void shouldRefuseBadUnitNamesWithFleetsWords(String name, String problem) {
        assertThat(UnitNames.problem(name)).isEqualTo(problem);
    }

    @Test
    void shouldKnowTemplatesAndTheirInstances() {
        assertThat(UnitNames.problem("yes@no\\.service")).isNull();
        assertThat(UnitNames.problem("hello:world.service")).isNull();
        assertThat(UnitNames.isTemplate("foo@.service")).isTrue();
        assertThat(UnitNames.isTemplate("foo@1.service")).isFalse();
        assertThat(UnitNames.templateOf("foo@1.service")).isEqualTo("foo@.service");
        assertThat(UnitNames.templateOf("foo.service")).isNull();
        assertThat(UnitNames.problem("x".repeat(300) + ".service")).contains("maximum length");
    }
}
