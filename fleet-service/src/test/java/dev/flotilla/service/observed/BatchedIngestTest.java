package dev.flotilla.service.observed;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.flotilla.api.protocol.ContainerState;
import dev.flotilla.api.protocol.Frame;
import dev.flotilla.api.protocol.StateChange;
import dev.flotilla.api.protocol.StateChanges;
import dev.flotilla.api.protocol.StateSnapshot;
import dev.flotilla.api.protocol.UnitState;
import dev.flotilla.service.Fixtures;
import dev.flotilla.service.TestDatabase;
import dev.flotilla.service.TestTokens;
import dev.flotilla.service.machine.MachineRef;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The writer's batch on the real database: frames of several machines of two organizations, an
 * old and a repeated seq, snapshots that remove units and containers, a machine with two frames,
 * written as one batch, leave exactly the rows (and acknowledgements) that writing them frame by
 * frame, one transaction each, leaves; and one frame that cannot be stored fails alone.
 */
@QuarkusTest
@QuarkusTestResource(TestDatabase.class)
class BatchedIngestTest {
    private static final Instant T0 = Instant.parse("2026-11-20T10:00:00.123456789Z");
    private static final String SHA1 = "0123456789abcdef0123456789abcdef01234567";
    private static final String K1 = "1111111111111111111111111111111111111111111111111111111111111111";
    private static final String K2 = "2222222222222222222222222222222222222222222222222222222222222222";
    private static final String K3 = "3333333333333333333333333333333333333333333333333333333333333333";

    @Inject
    StateWriter writer;

    @Inject
    TestTokens tokens;

    @Inject
    DataSource db;

    @Inject
    MeterRegistry registry;

    @Test
    void shouldStoreABatchExactlyAsFrameByFrame() throws Exception {
        UUID org1 = tokens.org("batch-a-" + Fixtures.newMachineId().substring(0, 8));
        UUID org2 = tokens.org("batch-b-" + Fixtures.newMachineId().substring(0, 8));
        Map<String, MachineRef> single = machines(org1, org2);
        Map<String, MachineRef> batched = machines(org1, org2);

        for (Map<String, MachineRef> set : List.of(single, batched)) {
            for (var f : before()) {
                assertThat(writeAlone(set, f)).isCompleted();
            }
        }

        List<CompletableFuture<Long>> alone = new ArrayList<>();
        for (var f : batch()) {
            alone.add(writeAlone(single, f));
        }
        List<StateWriter.Job> jobs = new ArrayList<>();
        for (var f : batch()) {
            jobs.add(new StateWriter.Job(batched.get(f.machine()), f.frame(), new CompletableFuture<>()));
        }
        double failedBefore = failedBatches();
        writer.write(new ArrayList<>(jobs));
        assertThat(failedBatches()).as("stored in one transaction").isEqualTo(failedBefore);

        List<String> acks = acks(alone);
        assertThat(acks).containsExactly("15", "5", "31", "40", "20", "41", "53");
        assertThat(acks(jobs.stream().map(StateWriter.Job::done).toList())).isEqualTo(acks);
        for (String m : List.of("m1", "m2", "m3", "m4", "m5")) {
            assertThat(rows(batched.get(m))).as(m).isEqualTo(rows(single.get(m)));
        }

        // And what those rows are: the newest report wins, snapshots remove what they do not list.
        assertThat(units(batched.get("m1")))
                .containsExactly("a.service@12:running", "c.service@10:running", "d.service@14:running");
        assertThat(units(batched.get("m2"))).containsExactly("x.service@20:running");
        assertThat(units(batched.get("m3"))).containsExactly("p.service@31:reloading", "r.service@31:running");
        assertThat(units(batched.get("m4"))).containsExactly("t.service@41:running");
        assertThat(units(batched.get("m5"))).containsExactly("v.service@53:running");
        assertThat(rows(batched.get("m3")).get("machine_container")).hasSize(1).allMatch(r -> r.startsWith(K1));
        assertThat(rows(batched.get("m5")).get("machine_container")).isEmpty();
        assertThat(rows(batched.get("m1")).get("unit_event")).hasSize(8);
    }

    @Test
    void shouldStoreTheOtherFramesOfABatchWhenOneCannotBeStored() throws Exception {
        UUID org1 = tokens.org("batch-c-" + Fixtures.newMachineId().substring(0, 8));
        UUID org2 = tokens.org("batch-d-" + Fixtures.newMachineId().substring(0, 8));
        Map<String, MachineRef> set = machines(org1, org2);
        // The machine was removed while its frame waited: its rows violate the foreign key.
        List<Report> reports = List.of(
                new Report("m1", changes(up(1, "a.service", "running"))),
                new Report("missing", changes(up(1, "z.service", "running"))),
                new Report("m3", new StateSnapshot(7, T0, List.of(unit("p.service", "running")))));
        List<StateWriter.Job> jobs = new ArrayList<>();
        for (var r : reports) {
            jobs.add(new StateWriter.Job(set.get(r.machine()), r.frame(), new CompletableFuture<>()));
        }
        double failedBefore = failedBatches();
        writer.write(new ArrayList<>(jobs));

        assertThat(failedBatches()).isEqualTo(failedBefore + 1);
        assertThat(acks(jobs.stream().map(StateWriter.Job::done).toList())).containsExactly("1", "failed", "7");
        assertThat(units(set.get("m1"))).containsExactly("a.service@1:running");
        assertThat(units(set.get("m3"))).containsExactly("p.service@7:running");
        assertThat(rows(set.get("missing")).values()).allMatch(List::isEmpty);
    }

    private double failedBatches() {
        return registry.counter("flotilla.ingest.batch.failed").count();
    }

    private record Report(String machine, Frame frame) {}

    private static List<Report> before() {
        return List.of(
                new Report(
                        "m1",
                        changes(
                                up(8, "a.service", "running"),
                                up(9, "b.service", "running"),
                                up(10, "c.service", "running"))),
                new Report("m2", changes(up(20, "x.service", "running"))),
                new Report(
                        "m3",
                        new StateSnapshot(
                                30,
                                T0,
                                List.of(unit("p.service", "running"), unit("q.service", "running")),
                                List.of(container(K1, "running"), container(K2, "running")))),
                new Report("m4", changes(up(39, "s.service", "running"))),
                new Report(
                        "m5",
                        changes(
                                up(48, "u.service", "running"),
                                StateChange.of(49, T0.plusSeconds(49), container(K3, "running")))));
    }

    /** In the order received: m2 and m4 send twice (a session replaced while its frame waited). */
    private static List<Report> batch() {
        return List.of(
                new Report(
                        "m1",
                        changes(
                                up(11, "a.service", "start"),
                                up(12, "a.service", "running"),
                                down(13, "b.service"),
                                up(14, "d.service", "running"),
                                StateChange.gap(15, T0, 3))),
                new Report("m2", changes(up(5, "x.service", "failed"))),
                new Report(
                        "m3",
                        new StateSnapshot(
                                31,
                                T0.plusSeconds(31),
                                List.of(unit("p.service", "reloading"), unit("r.service", "running")),
                                List.of(container(K1, "exited")))),
                new Report(
                        "m4",
                        new StateSnapshot(
                                40,
                                T0.plusSeconds(40),
                                List.of(unit("s.service", "failed"), unit("w.service", "running")))),
                new Report("m2", changes(up(20, "x.service", "running"))),
                new Report("m4", new StateSnapshot(41, T0.plusSeconds(41), List.of(unit("t.service", "running")))),
                new Report(
                        "m5",
                        changes(
                                StateChange.of(50, T0.plusSeconds(50), container(K3, "exited")),
                                StateChange.removal(51, T0.plusSeconds(51), container(K3, "exited")),
                                down(52, "u.service"),
                                up(53, "v.service", "running"))));
    }

    private CompletableFuture<Long> writeAlone(Map<String, MachineRef> set, Report report) {
        CompletableFuture<Long> done = new CompletableFuture<>();
        writer.write(new ArrayList<>(List.of(new StateWriter.Job(set.get(report.machine()), report.frame(), done))));
        return done;
    }

    private static List<String> acks(List<CompletableFuture<Long>> futures) {
        return futures.stream()
                .map(f -> f.isCompletedExceptionally() ? "failed" : String.valueOf(f.join()))
                .toList();
    }

    private Map<String, MachineRef> machines(UUID org1, UUID org2) {
        String enroll1 = tokens.enrollment(org1, 2);
        String enroll2 = tokens.enrollment(org2, 3);
        Map<String, MachineRef> set = new LinkedHashMap<>();
        for (String m : List.of("m1", "m2", "m3", "m4", "m5")) {
            UUID org = m.compareTo("m3") < 0 ? org1 : org2;
            String id = Fixtures.newMachineId();
            Fixtures.enroll(org == org1 ? enroll1 : enroll2, id, "batch-" + m);
            set.put(m, new MachineRef(org, id));
        }
        set.put("missing", new MachineRef(org1, Fixtures.newMachineId()));
        return set;
    }

    /** Every stored row of the machine, table by table, without its ids and without received_at. */
    private Map<String, List<String>> rows(MachineRef m) throws SQLException {
        Map<String, List<String>> rows = new LinkedHashMap<>();
        rows.put(
                "machine_unit",
                query(
                        m,
                        "select name, load_state, active_state, sub_state, description, hash,"
                                + " managed, changed_at, observed_at, seq from machine_unit where org_id = ? and machine_id = ?"
                                + " order by name"));
        rows.put(
                "unit_event",
                query(
                        m,
                        "select seq, observed_at, name, load_state, active_state, sub_state,"
                                + " removed, dropped from unit_event where org_id = ? and machine_id = ? order by seq, observed_at"));
        rows.put(
                "machine_container",
                query(
                        m,
                        "select container_id, name, image, state, status, health,"
                                + " created_at, started_at, labels::text, observed_at, seq from machine_container"
                                + " where org_id = ? and machine_id = ? order by container_id"));
        rows.put(
                "container_event",
                query(
                        m,
                        "select seq, observed_at, container_id, name, image, state, health,"
                                + " removed from container_event where org_id = ? and machine_id = ? order by seq, observed_at"));
        return rows;
    }

    private List<String> units(MachineRef m) throws SQLException {
        return query(
                m,
                "select name || '@' || seq || ':' || sub_state from machine_unit"
                        + " where org_id = ? and machine_id = ? order by name");
    }

    private List<String> query(MachineRef m, String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, m.orgId());
            ps.setString(2, m.machineId());
            try (ResultSet rs = ps.executeQuery()) {
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    List<String> row = new ArrayList<>();
                    for (int i = 1; i <= n; i++) {
                        row.add(rs.getString(i));
                    }
                    rows.add(String.join("|", row));
                }
            }
        }
        return rows;
    }

    private static StateChanges changes(StateChange... changes) {
        return new StateChanges(List.of(changes));
    }

    private static StateChange up(long seq, String name, String sub) {
        return StateChange.of(seq, T0.plusSeconds(seq), unit(name, sub));
    }

    private static StateChange down(long seq, String name) {
        return StateChange.removal(seq, T0.plusSeconds(seq), unit(name, "dead"));
    }

    private static UnitState unit(String name, String sub) {
        return new UnitState(name, "loaded", "active", sub, "the " + name, T0.minusSeconds(60), SHA1, true);
    }

    private static ContainerState container(String id, String state) {
        return new ContainerState(
                id,
                "web-" + id.charAt(0),
                "nginx:1.27",
                state,
                "Up 5 minutes",
                null,
                T0.minusSeconds(600),
                T0.minusSeconds(300),
                Map.of("app", "web", "tier", "front"));
    }
}
