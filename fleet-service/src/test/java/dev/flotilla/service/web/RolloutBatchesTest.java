package dev.flotilla.service.web;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.flotilla.api.rest.RolloutView;

import static org.assertj.core.api.Assertions.assertThat;

class RolloutBatchesTest {
    @Test
    void shouldCountEachBatchByStateAndTheWholeRolloutWithTheMachinesNotReached() {
        Instant t = Instant.parse("2026-12-07T12:00:00Z");
        RolloutView r = new RolloutView(
                "r1",
                "web.service",
                "running",
                "a",
                "b",
                "2",
                "PT10S",
                "PT5M",
                1,
                2,
                1,
                3,
                1,
                0,
                5,
                null,
                List.of(
                        new RolloutView.Machine("m1", 1, "healthy", t, null),
                        new RolloutView.Machine("m2", 1, "healthy", t, null),
                        new RolloutView.Machine("m3", 2, "healthy", t, null),
                        new RolloutView.Machine("m4", 2, "failed", t, "exited 1"),
                        new RolloutView.Machine("m5", 2, "updating", t, null)),
                "account:ada",
                t,
                t);
        RolloutBatches b = RolloutBatches.of(r);
        assertThat(b.total()).isEqualTo(10);
        assertThat(b.percent()).isEqualTo(30);
        assertThat(b.batches())
                .containsExactly(new RolloutBatches.Batch(1, 2, 0, 0, 0), new RolloutBatches.Batch(2, 1, 1, 1, 0));
        assertThat(b.batches().get(1).machines()).isEqualTo(3);
    }

    @Test
    void shouldShowNothingDoneForARolloutWithoutMachines() {
        Instant t = Instant.parse("2026-12-07T12:00:00Z");
        RolloutView r = new RolloutView(
                "r1",
                "web.service",
                "succeeded",
                "a",
                "b",
                "1",
                "PT0S",
                "PT5M",
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                null,
                List.of(),
                "system",
                t,
                t);
        assertThat(RolloutBatches.of(r).percent()).isZero();
        assertThat(RolloutBatches.of(r).batches()).isEmpty();
    }
}
