package dev.flotilla.service.agent;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AdmissionTest {
    private static final long S = 1_000_000_000L;

    @Test
    void shouldAdmitUpToTheLimitAndAFreedSlotAgain() {
        Admission a = new Admission(2);
        assertThat(a.tryEnter(0)).isTrue();
        assertThat(a.tryEnter(0)).isTrue();
        assertThat(a.tryEnter(0)).isFalse();
        a.leave(1, true);
        assertThat(a.inFlight()).isEqualTo(1);
        assertThat(a.tryEnter(2)).isTrue();
        assertThat(a.tryEnter(2)).isFalse();
    }

    @Test
    void shouldTellARefusedAgentToComeBackWhenTheHerdCanBeGreeted() {
        Admission a = new Admission(10);
        long now = 100 * S;
        // 100 greetings a second finished over the last 5 s...
        for (int sec = 0; sec < 5; sec++) {
            for (int i = 0; i < 100; i++) {
                assertThat(a.tryEnter(now + sec * S)).isTrue();
                a.leave(now + sec * S, true);
            }
        }
        for (int i = 0; i < 10; i++) {
            a.tryEnter(now + 4 * S);
        }
        // ... and 2,000 refused: they need 20 s at that rate.
        for (int i = 0; i < 2_000; i++) {
            assertThat(a.tryEnter(now + 4 * S)).isFalse();
        }
        assertThat(a.retryAfterSeconds(now + 4 * S)).isEqualTo(20);
        // Refusals older than the window are forgotten.
        assertThat(a.retryAfterSeconds(now + 20 * S)).isEqualTo(Admission.MIN_RETRY_SECONDS);
    }

    @Test
    void shouldKeepTheHintWithinItsBoundsWhenNothingWasGreeted() {
        Admission a = new Admission(1);
        a.tryEnter(0);
        for (int i = 0; i < 100_000; i++) {
            a.tryEnter(S);
        }
        assertThat(a.retryAfterSeconds(S)).isEqualTo(Admission.MAX_RETRY_SECONDS);
        assertThat(new Admission(1).retryAfterSeconds(S)).isEqualTo(Admission.MIN_RETRY_SECONDS);
        assertThatThrownBy(() -> new Admission(0)).hasMessageContaining("at least 1");
    }

    @Test
    void shouldNeverGoBelowZeroInFlightOnAnUnmatchedLeave() {
        Admission a = new Admission(1);
        a.leave(0, false);
        assertThat(a.inFlight()).isZero();
        assertThat(a.tryEnter(0)).isTrue();
    }
}
