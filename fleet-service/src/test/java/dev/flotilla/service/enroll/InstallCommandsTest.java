package dev.flotilla.service.enroll;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import dev.flotilla.api.rest.InstallCommand;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The install commands, from deploy/agent's Butane configs (copied by the build), without a service. */
class InstallCommandsTest {
    private static final InstallCommands COMMANDS = InstallCommands.fromClasspath();
    private static final String TOKEN = "fle_abcDEF123_-x";

    private static Map<String, InstallCommand> all() {
        List<InstallCommand> list = COMMANDS.all(
                "https://fleet.acme.test/",
                TOKEN,
                "1.2.3",
                "reg.acme.test/flotilla-agent:1.2.3",
                "https://dl.acme.test/f");
        assertThat(list).extracting(InstallCommand::way).containsExactlyElementsOf(InstallCommands.WAYS);
        return list.stream().collect(java.util.stream.Collectors.toMap(InstallCommand::way, c -> c));
    }

    @Test
    void shouldFillTheUrlTheTokenAndThePackageInEveryWay() {
        Map<String, InstallCommand> c = all();
        for (InstallCommand command : c.values()) {
            assertThat(command.text()).as(command.way()).contains(TOKEN).contains("https://fleet.acme.test");
            assertThat(command.text())
                    .as("no placeholder left in " + command.way())
                    .doesNotContain("example.com")
                    .doesNotContain("REPLACE");
            assertThat(command.title()).isNotBlank();
        }
        assertThat(c.get("deb").text())
                .isEqualTo("curl -fLO https://dl.acme.test/f/flotilla-agent_1.2.3-1_amd64.deb\n"
                        + "sudo dpkg -i flotilla-agent_1.2.3-1_amd64.deb\n"
                        + "sudo flotilla-agent enroll --url https://fleet.acme.test --token " + TOKEN + "\n"
                        + "sudo systemctl start flotilla-agent\n");
        assertThat(c.get("rpm").text()).contains("sudo rpm -i flotilla-agent-1.2.3-1.x86_64.rpm\n");
        assertThat(c.get("container").text())
                .contains("FLOTILLA_AGENT_IMAGE=reg.acme.test/flotilla-agent:1.2.3\n")
                .contains("systemctl enable --now podman.socket flotilla-agent-container.service");
    }

    @Test
    void shouldGiveButaneConfigsThatStillReadAsTheirSchemaWithTheValuesInTheirEnvironmentFile() throws Exception {
        Map<String, InstallCommand> c = all();
        for (String way : List.of("fcos", "flatcar")) {
            JsonNode bu = new YAMLMapper().readTree(c.get(way).text());
            assertThat(bu.get("variant").asText()).isEqualTo(way);
            String env = bu.at("/storage/files/0/contents/inline").asText();
            assertThat(env)
                    .contains("FLOTILLA_URL=https://fleet.acme.test\n")
                    .contains("FLOTILLA_ENROLL_TOKEN=" + TOKEN + "\n")
                    .contains("FLOTILLA_AGENT_IMAGE=reg.acme.test/flotilla-agent:1.2.3\n");
            assertThat(bu.at("/systemd/units/1/contents").asText())
                    .contains("ExecStart=/usr/bin/env ${FLOTILLA_ENGINE} run");
        }
    }

    @Test
    void shouldRefuseValuesThatCouldBreakOutOfACommandOrAFile() {
        for (String url : List.of(
                "https://a b",
                "https://a;rm -rf /",
                "https://a\nFLOTILLA_INSECURE=1",
                "https://a'b",
                "ftp://a",
                "https://a$(id)")) {
            assertThatThrownBy(() -> COMMANDS.all(url, TOKEN, "1", "img", "https://dl"))
                    .as(url)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> COMMANDS.all("https://a", "fle_x y", "1", "img", "https://dl"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> COMMANDS.all("https://a", TOKEN, "1", "img\nX=1", "https://dl"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
