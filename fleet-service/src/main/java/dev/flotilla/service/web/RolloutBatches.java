package dev.flotilla.service.web;

import java.util.List;
import java.util.TreeMap;

import dev.flotilla.api.rest.RolloutView;

/** A rollout as people follow it: overall progress and each batch's machines by state. Pure. */
public record RolloutBatches(int total, int healthy, int failed, List<Batch> batches) {
    /** One batch: its number and its machines by rollout state. */
    public record Batch(int number, int healthy, int updating, int failed, int reverted) {
        public int machines() {
            return healthy + updating + failed + reverted;
        }
    }

    public static RolloutBatches of(RolloutView r) {
        TreeMap<Integer, int[]> byBatch = new TreeMap<>();
        for (RolloutView.Machine m : r.machines()) {
            int[] c = byBatch.computeIfAbsent(m.batch(), b -> new int[4]);
            switch (m.state()) {
                case "healthy" -> c[0]++;
                case "failed" -> c[2]++;
                case "reverted" -> c[3]++;
                default -> c[1]++;
            }
        }
        List<Batch> batches = byBatch.entrySet().stream()
                .map(e -> new Batch(e.getKey(), e.getValue()[0], e.getValue()[1], e.getValue()[2], e.getValue()[3]))
                .toList();
        return new RolloutBatches(r.machines().size() + r.pending(), r.healthy(), r.failed(), batches);
    }

    /** Healthy machines as a whole percentage of all the rollout's machines (0 when it has none). */
    public int percent() {
        return total == 0 ? 0 : (int) Math.floor(100.0 * healthy / total);
    }
}
