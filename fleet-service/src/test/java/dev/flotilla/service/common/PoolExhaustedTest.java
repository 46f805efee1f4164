package dev.flotilla.service.common;

import java.sql.SQLException;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Agroal's acquisition timeout, however wrapped, is an overload (503), not a failure (500). */
class PoolExhaustedTest {
    @Test
    void shouldRecogniseTheAcquisitionTimeoutAnywhereInTheChain() {
        SQLException agroal = new SQLException("Sorry, acquisition timeout!");
        assertThat(ProblemMappers.poolExhausted(agroal)).isTrue();
        assertThat(ProblemMappers.poolExhausted(
                        new RuntimeException("Unable to acquire JDBC Connection", new IllegalStateException(agroal))))
                .isTrue();
        assertThat(ProblemMappers.poolExhausted(new SQLException("relation \"x\" does not exist")))
                .isFalse();
        assertThat(ProblemMappers.poolExhausted(new RuntimeException("acquisition timeout")))
                .as("only a SQLException says it")
                .isFalse();
    }
}
