package dev.flotilla.system;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Updates applied by the agent on three real systemd hosts under one policy (one machine at a
 * time): each host finds a pending update with its check command, waits for a lease, runs the
 * update command (which records its run), "reboots" (systemd restarts the agent's service, as a
 * boot would start it), and reports steady state after. The hosts update one after the other,
 * never two at once, and each ends complete. Then, in safe mode, a host whose update command fails
 * pauses the policy, and another host with an update pending waits.
 */
class UpdateRolloutTest {
    private static final String CHECK =
            "#!/bin/sh\n[ -f /var/lib/fl-updated ] || echo 'Inst pkg-a [1.0] (1.1 Debian-Security:12/stable-security)'\n";
    private static final String APPLY = "#!/bin/sh\n"
            + "if [ -f /etc/fl-fail ]; then echo 'E: dpkg was interrupted, you must manually run dpkg --configure -a' >&2; exit 1; fi\n"
            + "echo \"start $(date +%s%N)\" >> /var/log/fl-updates.log\n"
            + "sleep 3\n"
            + "echo \"end $(date +%s%N)\" >> /var/log/fl-updates.log\n"
            + "touch /var/lib/fl-updated /run/reboot-required\n";
    // A reboot, as far as the agent can tell: systemd stops it and starts it again.
    private static final String REBOOT =
            "#!/bin/sh\nrm -f /run/reboot-required\nexec systemctl --no-block restart fl-agent.service\n";

    @Test
    void shouldUpdateHostsOneAtATimeThroughTheirRebootsAndPauseOnAFailureInSafeMode() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 6);
        List<SystemdHost> hosts = new ArrayList<>();
        String[] serviceUrl = new String[1];
        String[] token = new String[1];
        List<String> machineIds = new ArrayList<>();
        try (RunningService service = new RunningService("updates")) {
            serviceUrl[0] = service.url;
            token[0] = service.token;
            try {
                assertThat(Project.post(
                                        service.url + "/api/v1/update-policies",
                                        service.token,
                                        "{\"name\":\"e2e\",\"selector\":\"e2e=yes\",\"maxParallel\":\"1\",\"updateTimeout\":\"PT5M\"}")
                                .status())
                        .isEqualTo(201);
                String enroll = service.newEnrollmentToken(3);
                List<String> ids = new ArrayList<>();
                for (int i = 1; i <= 3; i++) {
                    SystemdHost host = new SystemdHost("fu-" + run + "-" + i);
                    hosts.add(host);
                    ids.add(host.machineId());
                    machineIds.add(host.machineId());
                    host.write("/usr/local/bin/fl-check", CHECK, true);
                    host.write("/usr/local/bin/fl-apply", APPLY, true);
                    host.write("/usr/local/bin/fl-reboot", REBOOT, true);
                    host.startAgentService(
                            service.url,
                            enroll,
                            Map.of(
                                    "FLOTILLA_LABELS", "e2e=yes",
                                    "FLOTILLA_UPDATES", "on",
                                    "FLOTILLA_UPDATE_CHECK", "/usr/local/bin/fl-check",
                                    "FLOTILLA_UPDATE_APPLY", "/usr/local/bin/fl-apply",
                                    "FLOTILLA_UPDATE_REBOOT", "/usr/local/bin/fl-reboot",
                                    "FLOTILLA_UPDATE_INTERVAL", "PT2S"));
                }

                await().atMost(Duration.ofSeconds(90))
                        .pollInterval(Duration.ofSeconds(1))
                        .untilAsserted(() -> {
                            for (String id : ids) {
                                assertThat(update(service, id).path("progress").asText())
                                        .as(id)
                                        .isEqualTo("complete");
                            }
                        });

                // Each host ran its update once; no two runs overlapped.
                List<long[]> runs = new ArrayList<>();
                for (SystemdHost h : hosts) {
                    String[] lines =
                            h.exec("cat", "/var/log/fl-updates.log").strip().split("\n");
                    assertThat(lines).as(h.name).hasSize(2);
                    runs.add(new long[] {Long.parseLong(lines[0].split(" ")[1]), Long.parseLong(lines[1].split(" ")[1])
                    });
                    // It came back after its "reboot": the agent connected twice.
                    assertThat(h.agentLog().split("connected as machine", -1).length - 1)
                            .as(h.name)
                            .isGreaterThanOrEqualTo(2);
                }
                runs.sort((a, b) -> Long.compare(a[0], b[0]));
                for (int i = 1; i < runs.size(); i++) {
                    assertThat(runs.get(i)[0])
                            .as("run " + i + " starts after run " + (i - 1) + " ended")
                            .isGreaterThan(runs.get(i - 1)[1]);
                }
                JsonNode leases = Project.get(service.url + "/api/v1/update-policies/e2e/leases", service.token)
                        .body();
                assertThat(leases.path("items")).hasSize(3);
                for (JsonNode l : leases.path("items")) {
                    assertThat(l.path("outcome").asText()).isEqualTo("complete");
                    assertThat(l.path("kind").asText()).isEqualTo("agent");
                }

                // Safe mode: the next failure pauses the policy.
                assertThat(Project.put(
                                        service.url + "/api/v1/update-policies/e2e",
                                        service.token,
                                        "{\"selector\":\"e2e=yes\",\"maxParallel\":\"1\",\"safeMode\":true,\"safeModeFailures\":1}")
                                .status())
                        .isEqualTo(200);
                SystemdHost failing = hosts.get(0);
                failing.exec("sh", "-c", "touch /etc/fl-fail && rm -f /var/lib/fl-updated");
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofSeconds(1))
                        .untilAsserted(() -> {
                            JsonNode policy = Project.get(service.url + "/api/v1/update-policies/e2e", service.token)
                                    .body();
                            assertThat(policy.path("paused").asBoolean()).isTrue();
                            assertThat(policy.path("pausedReason").asText()).contains("safe mode: 1 update(s) failed");
                        });
                JsonNode failed = update(service, ids.get(0));
                assertThat(failed.path("progress").asText()).isEqualTo("failed");
                assertThat(failed.path("detail").asText()).contains("dpkg was interrupted");

                SystemdHost waiting = hosts.get(1);
                waiting.exec("rm", "-f", "/var/lib/fl-updated");
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    JsonNode w = update(service, ids.get(1));
                    assertThat(w.path("pending").asInt()).isEqualTo(1);
                    assertThat(w.path("progress").asText()).isEqualTo("paused");
                });
                Thread.sleep(6000); // three more check rounds: still no lease, no second run
                assertThat(waiting.exec("cat", "/var/log/fl-updates.log")
                                .strip()
                                .split("\n"))
                        .hasSize(2);
            } catch (AssertionError | RuntimeException e) {
                System.out.println("==== leases\n"
                        + Project.get(serviceUrl[0] + "/api/v1/update-policies/e2e/leases", token[0])
                                .body());
                for (String id : machineIds) {
                    System.out.println("==== " + id + "\n"
                            + Project.get(serviceUrl[0] + "/api/v1/machines/" + id + "/update", token[0])
                                    .body());
                }
                for (SystemdHost h : hosts) {
                    System.out.println("==== " + h.name + " agent log\n" + h.agentLog());
                    System.out.println("==== " + h.name + " updates\n"
                            + h.exec("sh", "-c", "cat /var/log/fl-updates.log || true"));
                }
                throw e;
            }
        } finally {
            for (SystemdHost h : hosts) {
                h.close();
            }
        }
    }

    private static JsonNode update(RunningService service, String id) throws Exception {
        return Project.get(service.url + "/api/v1/machines/" + id + "/update", service.token)
                .body();
    }
}
