package dev.flotilla.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * deploy/agent/flatcar.bu and fcos.bu, the Butane configs a CoreOS user provisions a host with.
 * The butane tool itself cannot be had here (no Debian package, no download): the configs are read
 * into the part of Butane's schema they use, refusing any other field (a typo that butane
 * --strict would refuse too), and checked against the unit the agent's image test runs
 * (AgentImageTest): the inline unit must be that file, byte for byte.
 */
class ButaneTest {
    private static final Path AGENT = Kustomize.ROOT.resolve("deploy/agent");

    record Config(String variant, String version, Storage storage, Systemd systemd) {}

    record Storage(List<Node> directories, List<FileNode> files) {}

    record Node(String path, Integer mode) {}

    record FileNode(String path, Integer mode, Contents contents) {}

    record Contents(String inline) {}

    record Systemd(List<Unit> units) {}

    record Unit(String name, Boolean enabled, String contents) {}

    private static Config read(String file) throws Exception {
        return StrictYaml.mapper().readValue(AGENT.resolve(file).toFile(), Config.class);
    }

    @ParameterizedTest
    @CsvSource({
        "flatcar.bu, flatcar, 1.0.0, docker, /var/run/docker.sock, docker.socket",
        "fcos.bu, fcos, 1.5.0, podman, /run/podman/podman.sock, podman.socket"
    })
    void shouldEnrollTheHostAndRunTheAgentsImageUnderSystemd(
            String file, String variant, String version, String engine, String socket, String engineUnit)
            throws Exception {
        Config c = read(file);
        assertThat(c.variant()).isEqualTo(variant);
        assertThat(c.version()).isEqualTo(version);

        FileNode env = c.storage().files().stream()
                .filter(f -> f.path().equals("/etc/flotilla/agent.env"))
                .findFirst()
                .orElseThrow();
        // YAML 1.1 (as Butane reads it): 0600 is octal, the token readable by root alone.
        assertThat(env.mode()).isEqualTo(0600);
        assertThat(c.storage().directories())
                .extracting(Node::path, Node::mode)
                .contains(org.assertj.core.groups.Tuple.tuple("/etc/flotilla", 0700));
        Map<String, String> settings = new LinkedHashMap<>();
        env.contents()
                .inline()
                .lines()
                .filter(l -> !l.isBlank() && !l.startsWith("#"))
                .forEach(l -> {
                    assertThat(l).as("an environment file line").matches("[A-Z_]+=\\S+");
                    settings.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1));
                });
        assertThat(settings)
                .containsOnlyKeys(
                        "FLOTILLA_URL",
                        "FLOTILLA_ENROLL_TOKEN",
                        "FLOTILLA_AGENT_IMAGE",
                        "FLOTILLA_ENGINE",
                        "FLOTILLA_CONTAINER_SOCKET")
                .containsEntry("FLOTILLA_ENGINE", engine)
                .containsEntry("FLOTILLA_CONTAINER_SOCKET", socket);
        // The placeholders the install commands fill in (InstallCommands in the service).
        assertThat(settings.get("FLOTILLA_URL")).isEqualTo("https://fleet.example.com");
        assertThat(settings.get("FLOTILLA_ENROLL_TOKEN")).isEqualTo("fle_REPLACE_WITH_AN_ENROLLMENT_TOKEN");

        Unit agent = c.systemd().units().stream()
                .filter(u -> u.name().equals("flotilla-agent-container.service"))
                .findFirst()
                .orElseThrow();
        assertThat(agent.enabled()).isTrue();
        assertThat(agent.contents())
                .as("the unit AgentImageTest runs, word for word")
                .isEqualTo(Files.readString(AGENT.resolve("flotilla-agent-container.service")));
        assertThat(c.systemd().units())
                .filteredOn(u -> u.name().equals(engineUnit))
                .singleElement()
                .extracting(Unit::enabled)
                .isEqualTo(true);
    }

    @ParameterizedTest
    @CsvSource({"flatcar.bu", "fcos.bu"})
    void shouldReadTheVariablesTheUnitUsesFromTheFileTheConfigWrites(String file) throws Exception {
        String unit = read(file).systemd().units().stream()
                .filter(u -> u.name().equals("flotilla-agent-container.service"))
                .findFirst()
                .orElseThrow()
                .contents();
        assertThat(unit)
                .contains("EnvironmentFile=/etc/flotilla/agent.env")
                .contains("--env-file /etc/flotilla/agent.env")
                .contains("ConditionPathExists=/etc/flotilla/agent.env");
        var used = java.util.regex.Pattern.compile("\\$\\{([A-Z_]+)}")
                .matcher(unit)
                .results()
                .map(m -> m.group(1))
                .distinct()
                .toList();
        assertThat(used)
                .containsExactlyInAnyOrder("FLOTILLA_ENGINE", "FLOTILLA_CONTAINER_SOCKET", "FLOTILLA_AGENT_IMAGE");
        for (String v : used) {
            assertThat(unit).as(v + " has a default in the unit").contains("Environment=" + v + "=");
        }
    }

    @ParameterizedTest
    @CsvSource({"flatcar.bu", "fcos.bu"})
    void shouldRefuseAMisspeltField(String file) throws Exception {
        String text = Files.readString(AGENT.resolve(file)).replace("      enabled: true", "      enable: true");
        assertThatThrownBy(() -> StrictYaml.mapper().readValue(text, Config.class))
                .hasMessageContaining("enable");
    }
}
