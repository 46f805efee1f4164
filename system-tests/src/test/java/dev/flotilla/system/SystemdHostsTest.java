package dev.flotilla.system;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged agent on three real systemd hosts (podman containers with systemd as PID 1),
 * against the packaged service: the hosts appear with their own machine ids; units started and
 * stopped with systemctl show up within seconds; transitions made while the service is down
 * arrive, in order, with their original times; a SIGKILLed agent comes back as the same machine;
 * containers started on the first host's Docker-compatible engine appear with their states; a
 * global unit runs on every matching host, one that joins later included, and leaves a host
 * whose labels stop matching.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SystemdHostsTest {
    private RunningService service;
    private TestEngine engine;
    private String run;
    private final List<SystemdHost> hosts = new ArrayList<>();
    private final List<String> ids = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        service = new RunningService("systemd");
        String enroll = service.newEnrollmentToken(3);
        run = UUID.randomUUID().toString().substring(0, 6);
        engine = TestEngine.start();
        for (int i = 1; i <= 3; i++) {
            // The first host has a container engine (its socket at /run/podman); the others have none.
            SystemdHost host = new SystemdHost("fl-" + run + "-" + i, i == 1 ? engine : null);
            hosts.add(host);
            ids.add(host.machineId());
            host.startAgent(service.url, enroll, Map.of("FLOTILLA_LABELS", "host=" + i));
        }
    }

    @AfterAll
    void stop() throws Exception {
        for (SystemdHost h : hosts) {
            h.close();
        }
        if (service != null) {
            service.close();
        }
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    @Order(1)
    void shouldShowEveryHostWithItsOwnMachineId() {
        assertThat(ids).doesNotHaveDuplicates().allMatch(id -> id.matches("[0-9a-f]{32}"));
        for (int i = 0; i < 3; i++) {
            String id = ids.get(i);
            String hostname = hosts.get(i).name;
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                Project.Reply r = Project.get(service.url + "/api/v1/machines/" + id, service.token);
                // Retried (an AssertionError) until the agent has enrolled; then the body is the machine.
                assertThat(r.status()).isEqualTo(200);
                JsonNode m = r.body();
                assertThat(m.get("presence").asText()).isEqualTo("online");
                assertThat(m.get("hostname").asText()).isEqualTo(hostname);
            });
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(unitNames(id)).contains("systemd-journald.service"));
        }
    }

    @Test
    @Order(2)
    void shouldReportAUnitStartedAndStoppedWithSystemctlWithinSeconds() throws Exception {
        SystemdHost host = hosts.get(0);
        String id = ids.get(0);
        writeUnit(host, "it-demo.service");
        Instant started = Instant.now();
        host.exec("systemctl", "start", "it-demo.service");
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(state(id, "it-demo.service")).isEqualTo("active/running"));
        Duration seen = Duration.between(started, Instant.now());
        host.exec("systemctl", "stop", "it-demo.service");
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(history(id, "it-demo.service"))
                        .containsSubsequence("active/running", "deactivating/stop-sigterm", "inactive/dead"));
        assertThat(seen).as("start observed through the API").isLessThan(Duration.ofSeconds(3));
    }

    @Test
    @Order(3)
    void shouldDeliverEveryTransitionMadeWhileTheServiceWasDownInOrderWithItsOriginalTime() throws Exception {
        SystemdHost host = hosts.get(1);
        String id = ids.get(1);
        writeUnit(host, "it-offline.service");
        service.stopService();
        Instant down = Instant.now();
        for (int i = 0; i < 3; i++) {
            host.exec("systemctl", "start", "it-offline.service");
            host.exec("systemctl", "stop", "it-offline.service");
        }
        // The agent sees the last stop a moment after systemctl returns: give it that moment, and
        // count as "while down" everything observed before the service is started again.
        Thread.sleep(1000);
        Instant upAgain = Instant.now();
        service.startService();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            List<String> h = history(id, "it-offline.service");
            assertThat(h.stream().filter(s -> s.equals("active/running")))
                    .as("active/running in %s", h)
                    .hasSize(3);
        });
        List<JsonNode> events = events(id, "it-offline.service");
        List<String> states = new ArrayList<>();
        Instant previous = Instant.MAX;
        for (JsonNode e : events) { // newest first
            Instant observed = Instant.parse(e.get("observedAt").asText());
            assertThat(observed).isBetween(down, upAgain).isBeforeOrEqualTo(previous);
            assertThat(Instant.parse(e.get("receivedAt").asText())).isAfter(upAgain);
            previous = observed;
            states.add(0, e.get("active").asText() + "/" + e.get("sub").asText());
        }
        // Oldest first: three full cycles, nothing missing, nothing twice.
        assertThat(states.stream().filter(s -> s.equals("active/running"))).hasSize(3);
        assertThat(states.stream().filter(s -> s.equals("deactivating/stop-sigterm")))
                .hasSize(3);
        assertThat(String.join(" ", states))
                .containsSubsequence(
                        "active/running",
                        "deactivating/stop-sigterm",
                        "active/running",
                        "deactivating/stop-sigterm",
                        "active/running",
                        "deactivating/stop-sigterm");
        assertThat(events.stream().map(e -> e.get("seq").asLong()).distinct()).hasSize(events.size());
    }

    @Test
    @Order(4)
    void shouldKeepItsIdentityWhenTheAgentIsKilledAndRestarted() throws Exception {
        SystemdHost host = hosts.get(2);
        String id = ids.get(2);
        host.killAgent();
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(presence(id)).isEqualTo("offline"));
        host.startAgent(service.url, null, Map.of("FLOTILLA_LABELS", "host=3"));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(presence(id)).isEqualTo("online"));
        JsonNode page = Project.get(service.url + "/api/v1/machines?limit=10", service.token)
                .body();
        assertThat(page.get("items")).hasSize(3);
        JsonNode tokens = Project.get(service.url + "/api/v1/enrollment-tokens", service.token)
                .body();
        assertThat(tokens.get(0).get("uses").asInt()).isEqualTo(3);
    }

    @Test
    @Order(5)
    void shouldWriteStartAndReportAUnitSentByTheServiceAndExplainABrokenOne() throws Exception {
        SystemdHost host = hosts.get(0);
        String id = ids.get(0);
        String base = service.url + "/api/v1/machines/" + id + "/desired-units/";
        Project.Reply put = Project.put(
                base + "it-sent.service",
                service.token,
                "{\"content\":\"[Unit]\\nDescription=Sent by Flotilla\\n[Service]\\nExecStart=/bin/sleep 600\\n"
                        + "[Install]\\nWantedBy=multi-user.target\\n\",\"target\":\"launched\"}");
        assertThat(put.status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode view = Project.get(base, service.token).body();
            assertThat(view.get("converged").asBoolean()).isTrue();
            assertThat(view.get("units").get(0).get("ok").asBoolean()).isTrue();
        });
        assertThat(host.exec("head", "-n", "1", "/etc/systemd/system/it-sent.service"))
                .contains("Managed by Flotilla");
        // launched = started and enabled, as its [Install] section says.
        assertThat(enabled(host, "it-sent.service")).isEqualTo("enabled");
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(state(id, "it-sent.service")).isEqualTo("active/running"));

        // A new file for a running unit takes effect: the agent restarts it (a new main process
        // running the new command), rather than leaving the old one running.
        String firstPid = host.exec("systemctl", "show", "-p", "MainPID", "--value", "it-sent.service")
                .strip();
        assertThat(Project.put(
                                base + "it-sent.service",
                                service.token,
                                "{\"content\":\"[Unit]\\nDescription=Sent by Flotilla, v2\\n[Service]\\n"
                                        + "ExecStart=/bin/sleep 601\\n[Install]\\nWantedBy=multi-user.target\\n\","
                                        + "\"target\":\"launched\"}")
                        .status())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(host.exec("systemctl", "show", "-p", "MainPID", "--value", "it-sent.service")
                            .strip())
                    .isNotIn(firstPid, "0");
            assertThat(host.exec(
                            "sh",
                            "-c",
                            "cat /proc/$(systemctl show -p MainPID --value it-sent.service)/cmdline"
                                    + " | tr '\\0' ' '"))
                    .contains("sleep 601");
        });

        Project.put(
                base + "it-broken.service",
                service.token,
                "{\"content\":\"[Service]\\nExecStart=/nonexistent/binary\\n\",\"target\":\"launched\"}");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode units = Project.get(base, service.token).body().get("units");
            JsonNode broken =
                    units.get(0).get("name").asText().equals("it-broken.service") ? units.get(0) : units.get(1);
            assertThat(broken.get("ok").asBoolean()).isFalse();
            assertThat(broken.get("error").asText()).contains("failed");
        });
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(state(id, "it-broken.service")).startsWith("failed/"));

        // Names that would lead elsewhere never reach an agent.
        assertThat(Project.put(base + "..%2Fescape.service", service.token, "{\"content\":\"[Service]\\n\"}")
                        .status())
                .isIn(400, 404);
        assertThat(Project.put(
                                base + "big.service",
                                service.token,
                                "{\"content\":\"[Service]\\n#" + "x".repeat(70_000) + "\"}")
                        .status())
                .isEqualTo(400);

        // Removing a unit stops it and removes its file.
        assertThat(Project.delete(base + "it-sent.service", service.token).status())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(host.exec(
                                        "sh",
                                        "-c",
                                        "test -e /etc/systemd/system/it-sent.service && echo present || echo gone")
                                .strip())
                        .isEqualTo("gone"));
        assertThat(host.exec("sh", "-c", "ls /etc/systemd/system/multi-user.target.wants/ | grep -c it-sent || true")
                        .strip())
                .as("the enablement link is gone with the unit")
                .isEqualTo("0");
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(state(id, "it-sent.service")).isIn("none", "inactive/dead"));
    }

    @Test
    @Order(6)
    void shouldFetchAUnitsJournalAndStatusThroughTheAgent() throws Exception {
        SystemdHost host = hosts.get(0);
        String base = service.url + "/api/v1/machines/" + ids.get(0) + "/units/";
        writeUnit(host, "it-talk.service");
        host.exec(
                "sh", "-c", "systemctl start it-talk.service; systemd-cat -t it-talk echo hello-from-the-host || true");
        JsonNode status =
                Project.get(base + "it-talk.service/status", service.token).body();
        assertThat(status.get("status").get("active").asText()).isEqualTo("active");
        assertThat(status.get("status").get("mainPid").asLong()).isPositive();
        assertThat(status.get("status").get("fragmentPath").asText()).isEqualTo("/etc/systemd/system/it-talk.service");

        JsonNode broken =
                Project.get(base + "it-broken.service/status", service.token).body();
        assertThat(broken.get("status").get("active").asText()).isEqualTo("failed");
        assertThat(broken.get("status").get("result").asText()).isNotEqualTo("success");

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode journal = Project.get(base + "it-talk.service/journal?lines=20", service.token)
                    .body();
            assertThat(journal.get("journal")).isNotEmpty();
            assertThat(journal.toString()).contains("Flotilla test unit");
        });
        assertThat(Project.get(base + "it-talk.service/journal?lines=5000", service.token)
                        .status())
                .isEqualTo(400);
        assertThat(Project.get(base + "no-suffix/status", service.token).status())
                .isEqualTo(400);
        assertThat(Project.get(base + "never-heard-of.service/status", service.token)
                        .status())
                .isEqualTo(502);
    }

    @Test
    @Order(7)
    void shouldReportContainersOfTheHostsEngineWithTheirStateAndHistory() throws Exception {
        String id = ids.get(0);
        String name = "web-" + run;
        String container = engine.create(name, Map.of("app", "web", "tier", "front"));
        engine.start(container);
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> {
                    JsonNode c = container(id, container);
                    assertThat(c).as("container " + name + " on host 1").isNotNull();
                    assertThat(c.get("state").asText()).isEqualTo("running");
                    assertThat(c.get("name").asText()).isEqualTo(name);
                    assertThat(c.get("image").asText()).contains("flotilla-test/busybox");
                    assertThat(c.get("labels").get("app").asText()).isEqualTo("web");
                    assertThat(c.get("startedAt").isNull()).isFalse();
                    assertThat(c.get("status").asText()).startsWith("Up");
                });
        engine.stop(container);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(
                        () -> assertThat(container(id, container).get("state").asText())
                                .isEqualTo("exited"));
        engine.remove(container);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(container(id, container)).isNull());
        // Its whole life, oldest first, from the history (by name here; by id works too).
        List<String> states = new ArrayList<>();
        Project.get(
                        service.url + "/api/v1/machines/" + id + "/containers/" + name + "/history?limit=100",
                        service.token)
                .body()
                .get("items")
                .forEach(e -> states.add(0, e.get("state").asText()));
        assertThat(states).containsSubsequence("running", "exited", "removed");
        // The hosts without an engine report none, and go on reporting units.
        Project.Reply none = Project.get(service.url + "/api/v1/machines/" + ids.get(1) + "/containers", service.token);
        assertThat(none.status()).isEqualTo(200);
        assertThat(none.body().get("items")).isEmpty();
        assertThat(unitNames(ids.get(1))).contains("dbus.service");
    }

    @Test
    @Order(8)
    void shouldRunAGlobalUnitOnEveryMatchingHostIncludingOneThatJoinsAndNotOnOneThatStopsMatching() throws Exception {
        String unit = "it-global.service";
        Project.Reply put = Project.put(
                service.url + "/api/v1/units/" + unit,
                service.token,
                "{\"content\":\"[Unit]\\nDescription=On every host\\n[Service]\\nExecStart=/bin/sleep 600\\n"
                        + "[X-Fleet]\\nGlobal=true\\nMachineMetadata=\\\"host=1\\\" \\\"host=2\\\" \\\"host=3\\\" \\\"host=4\\\"\\n\"}");
        assertThat(put.status()).as(put.body().toString()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> {
                    for (String id : ids) {
                        assertThat(state(id, unit)).as("on " + id).isEqualTo("active/running");
                    }
                });

        // A fourth host joins with a matching label: it gets the unit too.
        SystemdHost fourth = new SystemdHost("fl-" + run + "-4");
        hosts.add(fourth);
        String fourthId = fourth.machineId();
        fourth.startAgent(service.url, service.newEnrollmentToken(1), Map.of("FLOTILLA_LABELS", "host=4"));
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> assertThat(state(fourthId, unit)).isEqualTo("active/running"));

        // A host whose labels stop matching loses it: stopped, its file gone.
        SystemdHost second = hosts.get(1);
        Project.Reply relabel = Project.patch(
                service.url + "/api/v1/machines/" + ids.get(1) + "/labels", service.token, "{\"host\":\"elsewhere\"}");
        assertThat(relabel.status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(second.exec(
                                        "sh",
                                        "-c",
                                        "test -e /etc/systemd/system/" + unit + " && echo present || echo gone")
                                .strip())
                        .isEqualTo("gone"));
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(state(ids.get(1), unit)).isIn("none", "inactive/dead"));
        assertThat(state(ids.get(0), unit)).isEqualTo("active/running");
        JsonNode view = Project.get(service.url + "/api/v1/units/" + unit, service.token)
                .body();
        assertThat(view.get("placed").asInt()).isEqualTo(3);
    }

    @Test
    @Order(9)
    void shouldReachAnAgentConnectedToAnotherReplica() throws Exception {
        // A second replica on the same database; the hosts' agents stay connected to the first.
        String replica = service.startReplica("replica-2").url();
        String third = ids.get(2);
        String unit = "it-replica.service";
        Project.Reply put = Project.put(
                replica + "/api/v1/units/" + unit,
                service.token,
                "{\"content\":\"[Service]\\nExecStart=/bin/sleep 600\\n[X-Fleet]\\nMachineID=" + third + "\\n\"}");
        assertThat(put.status()).as(put.body().toString()).isEqualTo(201);
        assertThat(put.body().get("machineId").asText()).isEqualTo(third);
        // The change is heard by the replica that holds the agent's connection (LISTEN/NOTIFY).
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> assertThat(state(third, unit)).isEqualTo("active/running"));
        JsonNode fromReplica =
                Project.get(replica + "/api/v1/units/" + unit, service.token).body();
        assertThat(fromReplica.get("active").asInt()).isEqualTo(1);
        // A question for that agent through the replica that does not hold it: relayed through
        // PostgreSQL to the one that does, and answered.
        Project.Reply status =
                Project.get(replica + "/api/v1/machines/" + third + "/units/" + unit + "/status", service.token);
        assertThat(status.status()).as(status.body().toString()).isEqualTo(200);
        assertThat(status.body().get("status").get("active").asText()).isEqualTo("active");
        Project.Reply journal = Project.get(
                replica + "/api/v1/machines/" + third + "/units/" + unit + "/journal?lines=5", service.token);
        assertThat(journal.status()).as(journal.body().toString()).isEqualTo(200);
    }

    /** The container as the API shows it on the machine, or null. */
    private JsonNode container(String machine, String containerId) throws Exception {
        Project.Reply r =
                Project.get(service.url + "/api/v1/machines/" + machine + "/containers?limit=500", service.token);
        assertThat(r.status()).isEqualTo(200);
        for (JsonNode c : r.body().get("items")) {
            if (c.get("id").asText().equals(containerId)) {
                return c;
            }
        }
        return null;
    }

    private static String enabled(SystemdHost host, String unit) throws Exception {
        return host.exec("sh", "-c", "systemctl is-enabled " + unit + " || true")
                .strip();
    }

    private static void writeUnit(SystemdHost host, String name) throws Exception {
        host.exec(
                "sh",
                "-c",
                "printf '[Unit]\\nDescription=Flotilla test unit\\n[Service]\\nExecStart=/bin/sleep 600\\n' > /etc/systemd/system/"
                        + name + " && systemctl daemon-reload");
    }

    private String presence(String id) throws Exception {
        Project.Reply r = Project.get(service.url + "/api/v1/machines/" + id, service.token);
        assertThat(r.status()).isEqualTo(200);
        return r.body().get("presence").asText();
    }

    private List<String> unitNames(String id) throws Exception {
        List<String> names = new ArrayList<>();
        String cursor = "";
        do {
            JsonNode page = Project.get(
                            service.url + "/api/v1/machines/" + id + "/units?limit=500" + cursor, service.token)
                    .body();
            page.get("items").forEach(u -> names.add(u.get("name").asText()));
            cursor = page.get("nextCursor").isNull()
                    ? null
                    : "&cursor=" + page.get("nextCursor").asText();
        } while (cursor != null);
        return names;
    }

    private String state(String id, String unit) throws Exception {
        JsonNode page = Project.get(
                        service.url + "/fleet/v1/state?machineID=" + id + "&unitName=" + unit, service.token)
                .body();
        JsonNode states = page.get("states");
        return states.isEmpty()
                ? "none"
                : states.get(0).get("systemdActiveState").asText() + "/"
                        + states.get(0).get("systemdSubState").asText();
    }

    private List<JsonNode> events(String id, String unit) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        Project.get(service.url + "/api/v1/machines/" + id + "/units/" + unit + "/history?limit=500", service.token)
                .body()
                .get("items")
                .forEach(out::add);
        return out;
    }

    /** The unit's states, oldest first. */
    private List<String> history(String id, String unit) throws Exception {
        List<String> states = new ArrayList<>();
        for (JsonNode e : events(id, unit)) {
            if (!e.get("removed").asBoolean()) {
                states.add(0, e.get("active").asText() + "/" + e.get("sub").asText());
            }
        }
        return states;
    }
}
