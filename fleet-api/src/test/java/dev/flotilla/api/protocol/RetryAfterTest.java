package dev.flotilla.api.protocol;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RetryAfterTest {
    @Test
    void shouldReadTheSecondsAtTheEndOfACloseReason() {
        assertThat(Protocol.retryAfterSeconds("the service is busy greeting other agents; retry-after=7"))
                .isEqualTo(7);
        assertThat(Protocol.retryAfterSeconds("retry-after=0")).isZero();
        assertThat(Protocol.retryAfterSeconds("busy")).isEqualTo(-1);
        assertThat(Protocol.retryAfterSeconds(null)).isEqualTo(-1);
        assertThat(Protocol.retryAfterSeconds("retry-after=")).isEqualTo(-1);
        assertThat(Protocol.retryAfterSeconds("retry-after=-3")).isEqualTo(-1);
        assertThat(Protocol.retryAfterSeconds("retry-after=99999999999")).isEqualTo(-1);
        assertThat(Protocol.retryAfterSeconds("retry-after=7200"))
                .as("over an hour: ignored")
                .isEqualTo(-1);
    }
}
