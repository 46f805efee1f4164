package dev.flotilla.service.common;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

/** The clock. One bean so that tests of time-dependent rules can replace it. */
@ApplicationScoped
public class TimeService {
    public Instant now() {
        return Instant.now();
    }
}
