package dev.flotilla.system;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A machine removed (its credential revoked) through one replica while its agent is connected to
 * another: that replica hears it by NOTIFY and closes the session (4401), and the packaged agent
 * stops for good (exit 78) within 5 seconds.
 */
class RevokedCredentialTest {
    @Test
    void shouldCloseTheSessionOnAnotherReplicaWithinFiveSeconds() throws Exception {
        try (RunningService service = new RunningService("revoked")) {
            RunningService.Replica replica = service.startReplica("replica");
            Process agent = service.startAgent(service.newEnrollmentToken(1), "agent.log", replica.url());
            service.awaitPresence("online");
            long start = System.nanoTime();
            assertThat(Project.delete(service.url + "/api/v1/machines/" + service.machineId, service.token)
                            .status())
                    .isEqualTo(204);
            assertThat(agent.waitFor(5, TimeUnit.SECONDS))
                    .as("the agent on the other replica is told within 5 s")
                    .isTrue();
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertThat(agent.exitValue()).isEqualTo(78);
            System.out.printf("agent on the other replica stopped %d ms after the removal%n", ms);
        }
    }
}
