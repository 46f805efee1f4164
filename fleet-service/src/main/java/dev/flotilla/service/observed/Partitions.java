package dev.flotilla.service.observed;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.quarkus.scheduler.Scheduled;

/** Keeps monthly history partitions ready ahead of time (idempotent, safe on every replica). */
@ApplicationScoped
public class Partitions {
    @Inject
    UnitStateService units;

    @Scheduled(every = "6h", delayed = "10s")
    void ensure() {
        units.ensurePartitions();
    }
}
