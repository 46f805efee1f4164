package dev.flotilla.agent.updates;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The update check's output as the agent reads it, and commands run as the agent runs them. */
class UpdateCheckTest {
    @Test
    void shouldCountPendingAndSecurityUpdatesAsAptAndCustomChecksPrintThem() {
        String apt = """
                Inst libc6 [2.36-9+deb12u7] (2.36-9+deb12u8 Debian-Security:12/stable-security [amd64])
                Inst openssl [3.0.14-1~deb12u1] (3.0.15-1~deb12u1 Debian:12.8/stable [amd64])

                Inst tzdata [2024a-0+deb12u1] (2024b-0+deb12u1 Debian:12.8/stable [all])
                target-version: Debian 12.8
                """;
        UpdateManager.Check c = UpdateManager.parse(apt);
        assertThat(c.pending()).isEqualTo(3);
        assertThat(c.security()).isEqualTo(1);
        assertThat(c.target()).isEqualTo("Debian 12.8");
        assertThat(UpdateManager.parse("").pending()).isZero();
    }

    @Test
    void shouldKeepTheTailOfACommandsOutputAndItsExitCode() throws Exception {
        UpdateManager.Run run = UpdateManager.run(
                "for i in $(seq 1 2000); do echo line-$i; done; echo oops >&2; exit 3", Duration.ofSeconds(30));
        assertThat(run.exit()).isEqualTo(3);
        assertThat(run.tail()).hasSizeLessThanOrEqualTo(UpdateManager.TAIL).endsWith("line-2000\noops\n");
        UpdateManager.Run slow = UpdateManager.run("sleep 5", Duration.ofMillis(300));
        assertThat(slow.exit()).isEqualTo(124);
        assertThat(slow.output()).contains("timed out");
    }
}
