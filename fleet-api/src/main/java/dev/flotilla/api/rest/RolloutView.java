package dev.flotilla.api.rest;

import java.time.Instant;
import java.util.List;

/**
 * A rolling change of a global unit's file and how far it got.
 *
 * @param state {@code running}, {@code paused}, {@code succeeded} or {@code reverted}
 * @param batch the number of the batch in progress (or the last one)
 * @param pending the unit's machines not reached yet
 * @param machines each machine reached, with its batch and state ({@code updating},
 *     {@code healthy}, {@code failed}, {@code reverted})
 */
public record RolloutView(
        String id,
        String unit,
        String state,
        String fromHash,
        String toHash,
        String maxParallel,
        String minHealthy,
        String batchDeadline,
        int maxFailures,
        int batch,
        int updating,
        int healthy,
        int failed,
        int reverted,
        int pending,
        String message,
        List<Machine> machines,
        String createdBy,
        Instant createdAt,
        Instant updatedAt) {
    public RolloutView {
        machines = machines == null ? List.of() : List.copyOf(machines);
    }

    /** One machine of the rollout. */
    public record Machine(String machineId, int batch, String state, Instant startedAt, String reason) {}
}
