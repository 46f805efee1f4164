package dev.flotilla.agent;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BackoffTest {
    private static final long S = 1_000_000_000L;

    @Test
    void shouldWaitAtMostHalfTheOutageSoFarAfterAShortOne() {
        Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60));
        long t = 0;
        // Seven seconds of failures: the exponential cap alone would reach 64 s by the 7th attempt.
        for (int i = 0; i < 30; i++) {
            long delay = b.next(t);
            long outageMillis = t / 1_000_000;
            assertThat(delay)
                    .as("attempt %d after %d ms", i, outageMillis)
                    .isLessThanOrEqualTo(Math.max(1000, outageMillis / 2));
            t += Math.max(delay, 250) * 1_000_000L;
            if (t > 7 * S) {
                break;
            }
        }
    }

    @Test
    void shouldStillBackOffToTheMaximumInALongOutage() {
        Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60));
        b.next(0);
        long worst = 0;
        for (int i = 0; i < 200; i++) {
            worst = Math.max(worst, b.next(3600 * S));
        }
        assertThat(worst).isGreaterThan(30_000).isLessThanOrEqualTo(60_000);
        b.reset();
        assertThat(b.attempts()).isZero();
        assertThat(b.next(4000 * S)).as("a new outage starts over").isLessThanOrEqualTo(1000);
    }

    @Test
    void shouldComeBackAboutWhenTheServiceAsked() {
        Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60));
        for (int i = 0; i < 100; i++) {
            assertThat(b.after(10, 0)).isBetween(5_000L, 15_000L);
        }
        assertThat(b.after(600, 0)).as("never more than the maximum and a half").isLessThanOrEqualTo(90_000L);
    }
}
