package dev.flotilla.service.auth;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Password guessing is slowed and cut per address, never turned into a lockout of a user name. */
class GuessingTest {
    private static final Duration MAX = Duration.ofSeconds(10);

    @Test
    void shouldRefuseOnlyTheAddressThatGuessedNotTheName() {
        // Ten failures of "admin" from one address: that address is refused for admin...
        assertThat(Guessing.refused(10, 10, 10, 30)).isTrue();
        // ...while admin from another address (no failures there) is checked as usual.
        assertThat(Guessing.refused(0, 0, 10, 30)).isFalse();
        // An address that sprays many names is refused for all of them.
        assertThat(Guessing.refused(1, 30, 10, 30)).isTrue();
    }

    @Test
    void shouldSlowANameThatFailsLatelyDoublingUpToTheMaximum() {
        assertThat(Guessing.delay(0, MAX)).isZero();
        assertThat(Guessing.delay(2, MAX)).isZero();
        assertThat(Guessing.delay(3, MAX)).isEqualTo(Duration.ofMillis(250));
        assertThat(Guessing.delay(4, MAX)).isEqualTo(Duration.ofMillis(500));
        assertThat(Guessing.delay(8, MAX)).isEqualTo(Duration.ofSeconds(8));
        assertThat(Guessing.delay(9, MAX)).isEqualTo(MAX);
        assertThat(Guessing.delay(1_000_000, MAX)).isEqualTo(MAX);
    }
}
