package dev.flotilla.system;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The agent's packages as a host's administrator meets them, built by deploy/packages/build.sh
 * (what `./flotilla package` runs): the .deb installed with dpkg into a real Debian systemd host
 * (which has no Java), enrolled with {@code flotilla-agent enroll}, started with systemctl,
 * upgraded to a second build and purged. The .rpm is checked with {@code rpm -qp}: no RPM-based
 * host can be made on these machines (no Fedora or RHEL repository is served), so its scripts run
 * nowhere here; they are the .deb's, word for word.
 */
class AgentPackageTest {
    private static Path packages;
    private static String version;

    @BeforeAll
    static void build() throws Exception {
        // Under host-agent/target, which every systemd host of the tests sees at /opt/agent.
        packages = Project.AGENT_JAR.getParent().resolve("packages-test");
        for (String revision : List.of("1", "2")) {
            Project.run(
                    Duration.ofMinutes(8),
                    Project.ROOT.resolve("deploy/packages/build.sh").toString(),
                    "--out",
                    packages.toString(),
                    "--revision",
                    revision);
        }
        String pom = java.nio.file.Files.readString(Project.ROOT.resolve("pom.xml"));
        var m = java.util.regex.Pattern.compile("\n    <version>([^<]+)</version>")
                .matcher(pom);
        assertThat(m.find()).isTrue();
        version = m.group(1).replace("-SNAPSHOT", "");
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (packages != null) {
            Project.run(Duration.ofSeconds(30), "rm", "-rf", packages.toString());
        }
    }

    private static String deb(int revision) {
        return "/opt/agent/packages-test/flotilla-agent_" + version + "-" + revision + "_amd64.deb";
    }

    private static Path rpm() {
        return packages.resolve("flotilla-agent-" + version + "-1.x86_64.rpm");
    }

    @Test
    void shouldInstallEnrollUpgradeAndPurgeTheDebOnADebianSystemdHost() throws Exception {
        try (RunningService service = new RunningService("package");
                SystemdHost host =
                        new SystemdHost("fl-pkg-" + ProcessHandle.current().pid())) {
            assertThat(host.exec("sh", "-c", "command -v java || echo none").strip())
                    .as("the host has no Java of its own")
                    .isEqualTo("none");
            host.exec("dpkg", "-i", deb(1));
            // Installed and enabled, but not started before the host is enrolled.
            assertThat(host.exec("systemctl", "is-enabled", "flotilla-agent.service")
                            .strip())
                    .isEqualTo("enabled");
            assertThat(status(host)).isEqualTo("inactive");
            assertThat(host.exec("flotilla-agent", "--version")).contains("flotilla-agent");

            // The commands the service hands out with a new token (what `flotilla install-agent`
            // prints): its enroll line, as a host's administrator pastes it (root here: no sudo).
            Project.Reply created = Project.post(
                    service.url + "/api/v1/enrollment-tokens", service.token, "{\"name\":\"pkg\",\"maxUses\":1}");
            assertThat(created.status()).isEqualTo(201);
            String token = created.body().get("secret").asText();
            String commands = "";
            for (JsonNode c : created.body().get("install")) {
                if (c.get("way").asText().equals("deb")) {
                    commands = c.get("text").asText();
                }
            }
            assertThat(commands).contains("dpkg -i flotilla-agent_" + version + "-1_amd64.deb");
            String enrollLine = commands.lines()
                    .filter(l -> l.startsWith("sudo flotilla-agent enroll "))
                    .findFirst()
                    .orElseThrow()
                    .replaceFirst("^sudo ", "");
            String enrolled = host.exec("sh", "-c", enrollLine + " --labels role=pkg");
            assertThat(enrolled).contains("Enrolled this host as machine");
            String conf = host.exec("cat", "/etc/flotilla/agent.conf");
            assertThat(conf).contains("url = " + service.url).contains("labels = role=pkg");
            assertThat(conf).as("the token is spent, not kept").doesNotContain(token);
            assertThat(host.exec("stat", "-c", "%a", "/var/lib/flotilla-agent").strip())
                    .isEqualTo("700");

            assertThat(commands).contains("sudo systemctl start flotilla-agent\n");
            host.exec("systemctl", "start", "flotilla-agent");
            String machine = host.machineId();
            JsonNode online = awaitPresence(service, machine, "online");
            assertThat(online.get("labels").get("role").asText()).isEqualTo("pkg");
            String credential = host.exec("cat", "/var/lib/flotilla-agent/credential.json");
            String pid = mainPid(host);

            // An upgrade: the new build runs, with the same identity and the same state.
            host.exec("dpkg", "-i", deb(2));
            assertThat(host.exec("dpkg-query", "-W", "-f=${Version}", "flotilla-agent"))
                    .isEqualTo(version + "-2");
            assertThat(status(host)).isEqualTo("active");
            assertThat(mainPid(host)).as("restarted on the new build").isNotEqualTo(pid);
            assertThat(host.exec("cat", "/var/lib/flotilla-agent/credential.json"))
                    .isEqualTo(credential);
            assertThat(host.exec("ls", "/var/lib/flotilla-agent"))
                    .contains("state-journal")
                    // The first build wrote its class-data archive when the upgrade stopped it.
                    .contains("flotilla-agent.jsa");
            assertThat(host.exec("cat", "/etc/flotilla/agent.conf")).isEqualTo(conf);
            awaitPresence(service, machine, "online");
            // Still one machine: nothing enrolled again (the token had one use).
            Project.Reply machines = Project.get(service.url + "/api/v1/machines", service.token);
            assertThat(machines.body().get("items")).hasSize(1);

            // Purge: stopped, and nothing of it stays behind.
            host.exec("env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "purge", "-y", "-q", "flotilla-agent");
            assertThat(status(host)).isEqualTo("inactive");
            awaitPresence(service, machine, "offline");
            String left = host.exec(
                    "sh",
                    "-c",
                    "for p in /usr/lib/flotilla-agent /usr/bin/flotilla-agent /etc/flotilla /var/lib/flotilla-agent"
                            + " /lib/systemd/system/flotilla-agent.service"
                            + " /etc/systemd/system/multi-user.target.wants/flotilla-agent.service;"
                            + " do [ -e $p ] && echo $p; done; true");
            assertThat(left).as("left behind by purge").isBlank();
            assertThat(host.exec("sh", "-c", "dpkg-query -W flotilla-agent 2>&1 || true"))
                    .contains("no packages found");
        }
    }

    @Test
    void shouldBuildAnRpmWithTheSameFilesScriptsAndOnlyTheSystemsDependencies() throws Exception {
        String files = Project.run(Duration.ofSeconds(60), "rpm", "-qpl", rpm().toString());
        assertThat(files)
                .contains(
                        "/usr/bin/flotilla-agent",
                        "/usr/lib/flotilla-agent/flotilla-agent.jar",
                        "/usr/lib/flotilla-agent/jre/bin/java",
                        "/lib/systemd/system/flotilla-agent.service",
                        "/etc/flotilla/agent.conf");
        assertThat(Project.run(Duration.ofSeconds(60), "rpm", "-qpc", rpm().toString())
                        .strip())
                .as("the configuration file, kept on upgrade")
                .isEqualTo("/etc/flotilla/agent.conf");
        List<String> requires = Project.run(Duration.ofSeconds(60), "rpm", "-qpR", rpm().toString())
                .lines()
                .filter(l -> !l.startsWith("rpmlib("))
                .map(String::strip)
                .distinct()
                .toList();
        assertThat(requires)
                .as("no Java, nothing from the bundled runtime")
                .containsExactlyInAnyOrder("/bin/sh", "glibc", "systemd");
        String scripts = Project.run(Duration.ofSeconds(60), "rpm", "-qp", "--scripts", rpm().toString());
        assertThat(scripts)
                .contains("postinstall scriptlet")
                .contains("systemctl enable flotilla-agent.service")
                .contains("systemctl try-restart flotilla-agent.service")
                .contains("preuninstall scriptlet")
                .contains("systemctl stop flotilla-agent.service");
        assertThat(scripts).as("installing starts nothing").doesNotContain("systemctl start");
        String info = Project.run(Duration.ofSeconds(60), "rpm", "-qpi", rpm().toString());
        assertThat(info).contains("Version     : " + version).contains("Release     : 1");
    }

    private static JsonNode awaitPresence(RunningService service, String machine, String presence) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Project.Reply r = Project.get(service.url + "/api/v1/machines/" + machine, service.token);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body().get("presence").asText()).isEqualTo(presence);
            last[0] = r.body();
        });
        return last[0];
    }

    private static String status(SystemdHost host) throws Exception {
        return host.exec("sh", "-c", "systemctl is-active flotilla-agent.service || true")
                .strip();
    }

    private static String mainPid(SystemdHost host) throws Exception {
        return host.exec("systemctl", "show", "-p", "MainPID", "--value", "flotilla-agent.service")
                .strip();
    }
}
