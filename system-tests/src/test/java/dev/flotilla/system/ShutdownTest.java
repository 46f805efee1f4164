package dev.flotilla.system;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SIGTERM ends the packaged service within 20 s even while a request is stuck (here on a table
 * lock held by another database session: a JDBC read that no interrupt ends), and the agents
 * connected to it are told to go elsewhere (close 1001) before it goes.
 */
class ShutdownTest {
    @Test
    void shouldStopWithinTwentySecondsWithARequestStuckAndTellItsAgents() throws Exception {
        try (RunningService service = new RunningService("shutdown")) {
            service.startAgent(service.newEnrollmentToken(1), "agent.log");
            service.awaitPresence("online");
            try (Connection lock = service.connectToDatabase()) {
                lock.setAutoCommit(false);
                try (Statement s = lock.createStatement()) {
                    s.execute("lock table machine in access exclusive mode");
                }
                CompletableFuture<Project.Reply> stuck = CompletableFuture.supplyAsync(() -> {
                    try {
                        return Project.get(service.url + "/api/v1/machines", service.token);
                    } catch (Exception e) {
                        return null;
                    }
                });
                Thread.sleep(1500);
                assertThat(stuck).as("the request waits on the lock").isNotDone();

                Process process = service.primary().process();
                long t0 = System.nanoTime();
                process.destroy(); // SIGTERM
                boolean ended = process.waitFor(25, TimeUnit.SECONDS);
                double seconds = (System.nanoTime() - t0) / 1e9;
                if (!ended) {
                    process.destroyForcibly();
                }
                System.out.printf("service stopped %.1f s after SIGTERM with a stuck request%n", seconds);
                assertThat(ended).as("the service ended within 25 s of SIGTERM").isTrue();
                assertThat(seconds).isLessThan(20);
                lock.rollback();
            }
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(Files.readString(service.work.resolve("agent.log")))
                            .contains("1001: this replica is stopping"));
        }
    }
}
