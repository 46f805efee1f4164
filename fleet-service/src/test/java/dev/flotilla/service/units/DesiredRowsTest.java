package dev.flotilla.service.units;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.flotilla.service.units.DesiredRows.Row;
import dev.flotilla.service.units.Placements.Desired;

import static org.assertj.core.api.Assertions.assertThat;

/** The scheduler's write plan, pure: which rows go, which come or change, which machines get a new generation. */
class DesiredRowsTest {
    private static final Desired WEB = new Desired("[Service]\nExecStart=/bin/web\n", "launched");
    private static final Desired WEB2 = new Desired("[Service]\nExecStart=/bin/web2\n", "launched");
    private static final Desired LOG = new Desired("[Service]\nExecStart=/bin/log\n", "loaded");

    @Test
    void nothingChangesNothingIsWritten() {
        var same = Map.of("m1", Map.of("web.service", WEB), "m2", Map.<String, Desired>of());
        DesiredRows rows = DesiredRows.diff(same, same);
        assertThat(rows.isEmpty()).isTrue();
        assertThat(rows.deletes()).isEmpty();
        assertThat(rows.upserts()).isEmpty();
    }

    @Test
    void addsChangesAndRemovesPerMachineInMachineOrder() {
        var current = Map.of(
                "m3", Map.of("web.service", WEB, "log.service", LOG),
                "m1", Map.of("web.service", WEB),
                "m2", Map.of("web.service", WEB));
        var wanted = Map.of(
                "m3", Map.of("web.service", WEB2), // changed content, log removed
                "m1", Map.of("web.service", WEB), // unchanged
                "m2", Map.of("web.service", WEB, "log.service", LOG), // one added
                "m4", Map.of("log.service", LOG)); // a machine new to the plan
        DesiredRows rows = DesiredRows.diff(wanted, current);
        assertThat(rows.machines()).containsExactly("m2", "m3", "m4");
        assertThat(rows.deletes()).containsExactly(new Row("m3", "log.service", null));
        assertThat(rows.upserts())
                .containsExactly(
                        new Row("m2", "log.service", LOG),
                        new Row("m3", "web.service", WEB2),
                        new Row("m4", "log.service", LOG));
    }

    @Test
    void aMachineLeftOutOfThePlanLosesItsRows() {
        var current = Map.of("gone", Map.of("web.service", WEB, "log.service", LOG));
        DesiredRows rows = DesiredRows.diff(Map.of(), current);
        assertThat(rows.machines()).containsExactly("gone");
        assertThat(rows.deletes())
                .containsExactly(new Row("gone", "log.service", null), new Row("gone", "web.service", null));
        assertThat(rows.upserts()).isEmpty();
    }

    @Test
    void aGlobalUnitOnTenThousandMachinesIsOneRowEach() {
        Map<String, Map<String, Desired>> wanted = new java.util.HashMap<>();
        for (int i = 0; i < 10_000; i++) {
            wanted.put(String.format("m%05d", i), Map.of("global.service", WEB));
        }
        DesiredRows rows = DesiredRows.diff(wanted, Map.of());
        assertThat(rows.upserts()).hasSize(10_000);
        assertThat(rows.machines()).hasSize(10_000).isSorted();
        assertThat(rows.upserts().stream().map(Row::machine).toList()).isEqualTo(List.copyOf(rows.machines()));
    }
}
