package dev.flotilla.system;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three replicas of the packaged service on one database: exactly one runs the scheduler's loop;
 * when it is killed with SIGKILL another takes over within 15 s and goes on placing units, each
 * placement made once.
 */
class SchedulerFailoverTest {
    @Test
    void shouldHandTheSchedulerToAnotherReplicaWhenTheLeaderIsKilled() throws Exception {
        try (RunningService service = new RunningService("failover")) {
            service.startAgent(service.newEnrollmentToken(1), "agent.log");
            service.awaitPresence("online");
            List<RunningService.Replica> replicas = new ArrayList<>();
            replicas.add(service.primary());
            replicas.add(service.startReplica("replica-2"));
            replicas.add(service.startReplica("replica-3"));

            await().atMost(Duration.ofSeconds(15))
                    .untilAsserted(() -> assertThat(leaders(replicas)).hasSize(1));
            RunningService.Replica leader = leaders(replicas).get(0);

            // A global unit for machines labelled zone=z1: none yet.
            String unit = "failover.service";
            Project.Reply put = Project.put(
                    replicas.get(1).url() + "/api/v1/units/" + unit,
                    service.token,
                    "{\"content\":\"[Service]\\nExecStart=/bin/sleep 600\\n[X-Fleet]\\nGlobal=true\\n"
                            + "MachineMetadata=zone=z1\\n\"}");
            assertThat(put.status()).isEqualTo(201);
            assertThat(put.body().get("placed").asInt()).isZero();

            leader.process().destroyForcibly(); // SIGKILL: no goodbye, the lock goes with the connection
            leader.process().waitFor();
            List<RunningService.Replica> alive = new ArrayList<>(replicas);
            alive.remove(leader);
            long killed = System.nanoTime();
            await().atMost(Duration.ofSeconds(15))
                    .pollInterval(Duration.ofMillis(250))
                    .untilAsserted(() -> assertThat(leaders(alive)).hasSize(1));
            Duration takeover = Duration.ofNanos(System.nanoTime() - killed);

            // Only the scheduler's loop notices a label change: the new leader places the unit, once.
            String survivor = alive.get(0).url();
            Project.Reply relabel = Project.patch(
                    survivor + "/api/v1/machines/" + service.machineId + "/labels", service.token, "{\"zone\":\"z1\"}");
            assertThat(relabel.status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                JsonNode desired = Project.get(
                                survivor + "/api/v1/machines/" + service.machineId + "/desired-units", service.token)
                        .body();
                List<String> names = new ArrayList<>();
                desired.get("units").forEach(u -> names.add(u.get("name").asText()));
                assertThat(names).containsExactly(unit);
            });
            assertThat(Project.get(survivor + "/api/v1/units/" + unit, service.token)
                            .body()
                            .get("placed")
                            .asInt())
                    .isEqualTo(1);
            assertThat(takeover).isLessThan(Duration.ofSeconds(15));
        }
    }

    /** The replicas whose readiness says they lead the scheduler. */
    private static List<RunningService.Replica> leaders(List<RunningService.Replica> replicas) throws Exception {
        List<RunningService.Replica> out = new ArrayList<>();
        for (RunningService.Replica r : replicas) {
            JsonNode health = Project.get(r.url() + "/q/health/ready", null).body();
            for (JsonNode check : health.get("checks")) {
                if (check.get("name").asText().equals("scheduler-leader")
                        && check.path("data").path("leader").asBoolean()) {
                    out.add(r);
                }
            }
        }
        return out;
    }
}
