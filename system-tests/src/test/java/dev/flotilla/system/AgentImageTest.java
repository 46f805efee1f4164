package dev.flotilla.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The agent's image as a Flatcar or Fedora CoreOS host runs it: built by deploy/image/build.sh,
 * loaded from its archive, and started with the very {@code podman run} of
 * deploy/agent/flotilla-agent-container.service (read from the unit) against a real systemd host
 * of the tests. The host is itself a container here, so the folders the unit mounts from the host
 * are folders of this machine that the host keeps them in (systemd-hosts.sh's FLOTILLA_HOST_SHARE:
 * its bus, unit folder, journals, agent state), and its hostname is given instead of sharing the
 * UTS namespace of this machine; every other option is the unit's,
 * capabilities dropped and root file system read-only included. Through the image: the host
 * online under its name, a unit started with systemctl seen live, a unit sent by the service
 * written and started, its journal fetched, and a container of the host's engine reported.
 */
class AgentImageTest {
    private static final Path UNIT = Project.ROOT.resolve("deploy/agent/flotilla-agent-container.service");

    @Test
    void shouldRunTheAgentFromItsImageAgainstARealSystemdHost() throws Exception {
        Path out = Project.workDir("agent-image").resolve("images");
        Project.run(
                Duration.ofMinutes(8),
                Project.ROOT.resolve("deploy/image/build.sh").toString(),
                out.toString());
        String loaded = Project.run(
                Duration.ofMinutes(2),
                "podman",
                "load",
                "-q",
                "-i",
                out.resolve("flotilla-agent.tar").toString());
        String image = loaded.lines()
                .filter(l -> l.contains("flotilla-agent"))
                .map(l -> l.replaceFirst("^Loaded image(\\(s\\))?: *", "").strip())
                .findFirst()
                .orElseThrow(() -> new AssertionError("no flotilla-agent image in: " + loaded));
        String container = "flotilla-agent-test-" + ProcessHandle.current().pid();
        String name = "fl-img-" + ProcessHandle.current().pid();
        Path share = Project.workDir("agent-image-host");
        try (TestEngine engine = TestEngine.start();
                RunningService service = new RunningService("agent-image");
                SystemdHost host = new SystemdHost(name, engine, share)) {
            Map<String, String> hostPaths = Map.of(
                    "/run/dbus/system_bus_socket",
                            share.resolve("run-dbus/system_bus_socket").toString(),
                    "/etc/systemd/system", share.resolve("systemd-system").toString(),
                    "/etc/machine-id",
                            java.util.Objects.requireNonNullElse(
                                            System.getenv("FLOTILLA_TEST_CACHE"), "/var/cache/flotilla-test")
                                    + "/machine-ids/" + name,
                    "/var/log/journal", share.resolve("var-journal").toString(),
                    "/run/log/journal", share.resolve("run-journal").toString(),
                    "/var/lib/flotilla-agent", share.resolve("agent-state").toString(),
                    "/run/podman/podman.sock", engine.socket.toString());
            Path env = Files.createTempFile(Project.workDir("agent-image-env"), "agent", ".env");
            Files.writeString(
                    env,
                    "FLOTILLA_URL=" + service.url + "\nFLOTILLA_ENROLL_TOKEN=" + service.newEnrollmentToken(1)
                            + "\nFLOTILLA_LABELS=way=container\n");
            for (String pre : unitLines("ExecStartPre=")) {
                if (pre.startsWith("/usr/bin/mkdir") || pre.startsWith("/usr/bin/chmod")) {
                    host.exec(pre.split(" "));
                }
            }
            List<String> command = podmanRun(hostPaths, name, container, image, env);
            System.out.println(String.join(" ", command));
            Project.run(Duration.ofSeconds(60), command.toArray(String[]::new));
            try {
                checkThroughTheImage(service, host, engine);
            } catch (AssertionError | RuntimeException e) {
                System.out.println(Project.run(Duration.ofSeconds(30), "podman", "logs", container));
                throw e;
            } finally {
                Project.run(Duration.ofSeconds(60), "podman", "rm", "-f", "-t", "5", container);
            }
        }
    }

    private static void checkThroughTheImage(RunningService service, SystemdHost host, TestEngine engine)
            throws Exception {
        String id = host.machineId();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Project.Reply r = Project.get(service.url + "/api/v1/machines/" + id, service.token);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body().get("presence").asText()).isEqualTo("online");
            assertThat(r.body().get("hostname").asText()).isEqualTo(host.name);
            assertThat(r.body().get("labels").get("way").asText()).isEqualTo("container");
        });

        // Seen live: a unit started with systemctl on the host.
        host.exec(
                "sh",
                "-c",
                "printf '[Unit]\\nDescription=Started on the host\\n[Service]\\nExecStart=/bin/sleep 600\\n'"
                        + " > /etc/systemd/system/it-host.service && systemctl daemon-reload"
                        + " && systemctl start it-host.service");
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(
                        () -> assertThat(state(service, id, "it-host.service")).isEqualTo("active/running"));

        // Sent by the service: written into the host's unit folder and started.
        String base = service.url + "/api/v1/machines/" + id + "/desired-units/";
        Project.Reply put = Project.put(
                base + "it-sent.service",
                service.token,
                "{\"content\":\"[Unit]\\nDescription=Sent through the image\\n[Service]\\nExecStart=/bin/sleep 600\\n"
                        + "[Install]\\nWantedBy=multi-user.target\\n\",\"target\":\"launched\"}");
        assertThat(put.status()).as(put.body().toString()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode view = Project.get(base, service.token).body();
            assertThat(view.get("converged").asBoolean()).as(view.toString()).isTrue();
        });
        assertThat(host.exec("head", "-n", "1", "/etc/systemd/system/it-sent.service"))
                .contains("Managed by Flotilla");
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(
                        () -> assertThat(state(service, id, "it-sent.service")).isEqualTo("active/running"));

        // The journal, read by the image's journalctl from the host's journal files.
        String units = service.url + "/api/v1/machines/" + id + "/units/";
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            Project.Reply journal = Project.get(units + "it-sent.service/journal?lines=20", service.token);
            assertThat(journal.status()).as(journal.body().toString()).isEqualTo(200);
            assertThat(journal.body().get("journal")).isNotEmpty();
            assertThat(journal.body().toString()).contains("Sent through the image");
        });

        // A container of the host's engine, through the engine's socket.
        String made = engine.create("img-" + ProcessHandle.current().pid(), Map.of("seen", "through-image"));
        engine.start(made);
        try {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode page = Project.get(
                                service.url + "/api/v1/machines/" + id + "/containers?limit=500", service.token)
                        .body();
                assertThat(page.toString()).contains("through-image");
            });
        } finally {
            engine.remove(made);
        }
    }

    /** The unit's ExecStart, with the host's folders where this machine keeps them and the test's names. */
    private static List<String> podmanRun(
            Map<String, String> hostPaths, String hostname, String container, String image, Path env)
            throws IOException {
        List<String> start = unitLines("ExecStart=");
        assertThat(start).hasSize(1);
        List<String> words = new ArrayList<>(Arrays.asList(start.get(0).split("\\s+")));
        assertThat(words.subList(0, 2)).containsExactly("/usr/bin/env", "${FLOTILLA_ENGINE}");
        List<String> command = new ArrayList<>(List.of("podman"));
        for (int i = 2; i < words.size(); i++) {
            String w = words.get(i)
                    .replace("${FLOTILLA_CONTAINER_SOCKET}", "/run/podman/podman.sock")
                    .replace("${FLOTILLA_AGENT_IMAGE}", image);
            assertThat(w).as("every variable of the unit is known to the test").doesNotContain("${");
            switch (w) {
                case "--name" -> {
                    command.addAll(List.of("--name", container));
                    i++;
                }
                case "--uts" -> {
                    // This machine's UTS namespace is not the test host's: give its name instead.
                    command.addAll(List.of("--hostname", hostname));
                    i++;
                }
                case "--env-file" -> {
                    command.addAll(List.of("--env-file", env.toString()));
                    i++;
                }
                case "-v" -> {
                    String volume = words.get(++i).replace("${FLOTILLA_CONTAINER_SOCKET}", "/run/podman/podman.sock");
                    String source = volume.substring(0, volume.indexOf(':'));
                    assertThat(hostPaths)
                            .as("a folder of the host the test keeps")
                            .containsKey(source);
                    command.addAll(List.of("-v", hostPaths.get(source) + volume.substring(source.length())));
                }
                case "--rm" -> {
                    // kept after a failure so that its log can be shown; removed by the test
                }
                default -> command.add(w);
            }
        }
        command.add(2, "-d");
        // This machine's container runtime cannot raise limits past its own (ENVIRONMENT.md): say them.
        command.addAll(3, List.of("--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096"));
        return command;
    }

    /** The values of the unit's lines starting with {@code key}, continuation lines joined. */
    private static List<String> unitLines(String key) throws IOException {
        String text = Files.readString(UNIT, StandardCharsets.UTF_8).replace("\\\n", " ");
        return text.lines()
                .filter(l -> l.startsWith(key))
                .map(l -> l.substring(key.length()).replaceFirst("^-", "").strip())
                .toList();
    }

    private static String state(RunningService service, String id, String unit) throws Exception {
        JsonNode states = Project.get(
                        service.url + "/fleet/v1/state?machineID=" + id + "&unitName=" + unit, service.token)
                .body()
                .get("states");
        return states.isEmpty()
                ? "none"
                : states.get(0).get("systemdActiveState").asText() + "/"
                        + states.get(0).get("systemdSubState").asText();
    }
}
