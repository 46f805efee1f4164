package dev.flotilla.service.units;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.flotilla.api.unit.UnitFile;
import dev.flotilla.service.units.Placements.Machine;
import dev.flotilla.service.units.Placements.Plan;
import dev.flotilla.service.units.Placements.Rollout;
import dev.flotilla.service.units.Placements.Unit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * fleet's placement rules, as a table: units and machines in, where each unit lands out. Pure: no
 * database, no Quarkus; the whole class runs in milliseconds. {@code UnitSchedulingTest} checks
 * the same rules end to end through the API and agents.
 */
class PlacementsTest {
    private static final String A = "aaaaaaaa000000000000000000000001";
    private static final String B = "bbbbbbbb000000000000000000000002";
    private static final String C = "cccccccc000000000000000000000003";

    static Unit unit(String name, String xfleet) {
        return unit(name, xfleet, "launched", null);
    }

    static Unit unit(String name, String xfleet, String target, String on) {
        UnitFile file =
                UnitFile.parse("[Service]\nExecStart=/bin/true\n[X-Fleet]\n" + xfleet.replace(";", "\n") + "\n");
        boolean global = xfleet.contains("Global=true");
        return new Unit(name, file, target, global, on);
    }

    static Machine machine(String id, String... labels) {
        Map<String, String> l = new java.util.HashMap<>();
        for (String kv : labels) {
            String[] p = kv.split("=");
            l.put(p[0], p[1]);
        }
        return new Machine(id, l, false);
    }

    static Machine lost(String id) {
        return new Machine(id, Map.of(), true);
    }

    /** A machine whose agent stopped, not yet lost. */
    static Machine offline(String id) {
        return new Machine(id, Map.of(), false, false);
    }

    static Map<String, String> placedOn(List<Unit> units, List<Machine> machines) {
        return Placements.plan(units, machines, Map.of()).placedOn();
    }

    static Stream<Arguments> fleetRules() {
        return Stream.of(
                Arguments.of(
                        "the least loaded machine, ties broken by machine id",
                        List.of(unit("a.service", ""), unit("b.service", ""), unit("c.service", "")),
                        List.of(machine(B), machine(A)),
                        Map.of("a.service", A, "b.service", B, "c.service", A)),
                Arguments.of(
                        "a unit stays on the machine it is on while that qualifies",
                        List.of(unit("a.service", "", "launched", B), unit("b.service", "", "launched", B)),
                        List.of(machine(A), machine(B)),
                        Map.of("a.service", B, "b.service", B)),
                Arguments.of(
                        "a unit leaves a lost machine (and never goes to one)",
                        List.of(unit("a.service", "", "launched", A)),
                        List.of(lost(A), machine(B)),
                        Map.of("a.service", B)),
                Arguments.of(
                        "MachineID by full id or by its first 8 characters",
                        List.of(unit("a.service", "MachineID=" + C), unit("b.service", "MachineID=cccccccc")),
                        List.of(machine(A), machine(B), machine(C)),
                        Map.of("a.service", C, "b.service", C)),
                Arguments.of(
                        "MachineMetadata: every key must match, any of its values",
                        List.of(unit(
                                "a.service", "MachineMetadata=region=eu;MachineMetadata=\"disk=ssd\" \"disk=nvme\"")),
                        List.of(
                                machine(A, "region=eu", "disk=hdd"),
                                machine(B, "region=us", "disk=ssd"),
                                machine(C, "region=eu", "disk=ssd")),
                        Map.of("a.service", C)),
                Arguments.of(
                        "no machine qualifies: the unit stays unscheduled",
                        List.of(unit("a.service", "MachineMetadata=region=mars")),
                        List.of(machine(A, "region=eu")),
                        mapOfNull("a.service")),
                Arguments.of(
                        "MachineOf: beside its peer",
                        List.of(unit("db.service", "MachineID=" + B), unit("web.service", "MachineOf=db.service")),
                        List.of(machine(A), machine(B)),
                        Map.of("db.service", B, "web.service", B)),
                Arguments.of(
                        "Conflicts keeps units apart, declared on either side",
                        List.of(
                                unit("a.service", "Conflicts=b.service"), unit("b.service", ""),
                                unit("c.service", ""), unit("d.service", "Conflicts=c.service")),
                        List.of(machine(A), machine(B)),
                        Map.of("a.service", A, "b.service", B, "c.service", A, "d.service", B)),
                Arguments.of(
                        "Conflicts by glob: no two of a kind on one machine",
                        List.of(
                                unit("web@1.service", "Conflicts=web@*.service"),
                                unit("web@2.service", "Conflicts=web@*.service"),
                                unit("web@3.service", "Conflicts=web@*.service")),
                        List.of(machine(A), machine(B)),
                        mapOf("web@1.service", A, "web@2.service", B, "web@3.service", null)),
                Arguments.of(
                        "an inactive unit is known but not placed",
                        List.of(unit("a.service", "", "inactive", null)),
                        List.of(machine(A)),
                        mapOfNull("a.service")),
                Arguments.of(
                        "a template is never placed itself",
                        List.of(unit("web@.service", ""), unit("a.service", "")),
                        List.of(machine(A)),
                        Map.of("a.service", A)),
                Arguments.of(
                        "new units go to online machines only; an offline one keeps what it runs",
                        List.of(
                                unit("a.service", "", "launched", A),
                                unit("n1.service", ""),
                                unit("n2.service", ""),
                                unit("n3.service", "")),
                        List.of(offline(A), machine(B)),
                        Map.of("a.service", A, "n1.service", B, "n2.service", B, "n3.service", B)),
                Arguments.of(
                        "no machine online: new units wait, unscheduled",
                        List.of(unit("n.service", "")),
                        List.of(offline(A), offline(B)),
                        mapOfNull("n.service")),
                Arguments.of(
                        "Conflicts with several names on one line keeps away from each",
                        List.of(
                                unit("b.service", "", "launched", A),
                                unit("c.service", "", "launched", B),
                                unit("d.service", "", "launched", C),
                                unit("e.service", "", "launched", C),
                                unit("z.service", "Conflicts=b.service c.service")),
                        List.of(machine(A), machine(B), machine(C)),
                        Map.of("b.service", A, "c.service", B, "d.service", C, "e.service", C, "z.service", C)),
                Arguments.of(
                        "MachineOf a unit whose name sorts after it: placed beside it all the same",
                        List.of(unit("a.service", "MachineOf=z.service"), unit("z.service", "MachineID=" + B)),
                        List.of(machine(A), machine(B)),
                        Map.of("a.service", B, "z.service", B)),
                Arguments.of(
                        "MachineOf with a template specifier",
                        List.of(
                                unit("side@1.service", "MachineOf=main@%i.service"),
                                unit("main@1.service", "MachineID=" + C)),
                        List.of(machine(A), machine(B), machine(C)),
                        Map.of("side@1.service", C, "main@1.service", C)),
                Arguments.of(
                        "MachineOf a unit that does not exist: unscheduled",
                        List.of(unit("a.service", "MachineOf=ghost.service")),
                        List.of(machine(A)),
                        mapOfNull("a.service")),
                Arguments.of(
                        "global units count for load",
                        List.of(unit("g.service", "Global=true;MachineMetadata=role=edge"), unit("a.service", "")),
                        List.of(machine(A, "role=edge"), machine(B)),
                        Map.of("a.service", B)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fleetRules")
    void shouldPlaceUnitsAsFleetDid(String rule, List<Unit> units, List<Machine> machines, Map<String, String> want) {
        assertThat(placedOn(units, machines)).as(rule).containsExactlyInAnyOrderEntriesOf(want);
    }

    @Test
    void shouldNotEvictAUnitAlreadyOnAMachineForAGlobalUnitThatConflictsWithIt() {
        Plan plan = Placements.plan(
                List.of(unit("a.service", "", "launched", A), unit("g.service", "Global=true;Conflicts=a.service")),
                List.of(machine(A), machine(B)),
                Map.of());
        assertThat(plan.placedOn()).containsEntry("a.service", A);
        assertThat(plan.desired().get(A)).containsOnlyKeys("a.service");
        assertThat(plan.desired().get(B)).containsOnlyKeys("g.service");
        // A unit not yet placed goes where the global unit is not.
        Plan fresh = Placements.plan(
                List.of(
                        unit("a.service", ""),
                        unit("g.service", "Global=true;MachineMetadata=role=edge;Conflicts=a.service")),
                List.of(machine(A, "role=edge"), machine(B)),
                Map.of());
        assertThat(fresh.placedOn()).containsEntry("a.service", B);
    }

    @Test
    void shouldStopAPlanThatRunsOutOfItsTimeBox() {
        List<Machine> many = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            many.add(machine(String.format("%032d", i)));
        }
        List<Unit> units = List.of(unit("a.service", ""), unit("g.service", "Global=true"));
        assertThatThrownBy(() -> Placements.plan(units, many, Map.of(), Placements.Budget.ofNanos(0)))
                .isInstanceOf(Placements.OverBudget.class);
        assertThat(Placements.plan(units, many, Map.of(), Placements.Budget.ofNanos(60_000_000_000L))
                        .placedOn())
                .containsKey("a.service");
    }

    @Test
    void shouldGiveTheSameAnswerWhateverTheOrderOfItsInputs() {
        List<Unit> units =
                new ArrayList<>(List.of(unit("a.service", ""), unit("b.service", ""), unit("c.service", "")));
        List<Machine> machines = new ArrayList<>(List.of(machine(A), machine(B), machine(C)));
        Plan first = Placements.plan(units, machines, Map.of());
        java.util.Collections.reverse(units);
        java.util.Collections.reverse(machines);
        assertThat(Placements.plan(units, machines, Map.of())).isEqualTo(first);
    }

    @Test
    void shouldRunAGlobalUnitOnEveryMatchingMachineLostOnesIncluded() {
        Plan plan = Placements.plan(
                List.of(unit("g.service", "Global=true;MachineMetadata=role=edge")),
                List.of(machine(A, "role=edge"), new Machine(B, Map.of("role", "edge"), true), machine(C)),
                Map.of());
        assertThat(plan.desired().get(A)).containsKey("g.service");
        assertThat(plan.desired().get(B)).containsKey("g.service");
        assertThat(plan.desired().get(C)).isEmpty();
        assertThat(plan.placedOn()).doesNotContainKey("g.service");
    }

    @Test
    void shouldKeepAGlobalUnitOffAMachineWithAUnitItConflictsWith() {
        Plan plan = Placements.plan(
                List.of(unit("g.service", "Global=true;Conflicts=x.service"), unit("x.service", "MachineID=" + A)),
                List.of(machine(A), machine(B)),
                Map.of());
        // Global units are placed first, so x.service cannot join g.service on A.
        assertThat(plan.desired().get(B)).containsOnlyKeys("g.service");
        assertThat(plan.placedOn()).containsEntry("x.service", null);
    }

    @Test
    void shouldGiveTheRolloutsFileOnlyToTheMachinesItReached() {
        Unit g = unit("g.service", "Global=true");
        Plan plan = Placements.plan(
                List.of(g),
                List.of(machine(A), machine(B)),
                Map.of("g.service", new Rollout("[Service]\nExecStart=/bin/new\n", Set.of(B))));
        assertThat(plan.desired().get(A).get("g.service").content()).contains("/bin/true");
        assertThat(plan.desired().get(B).get("g.service").content()).contains("/bin/new");
        assertThat(plan.desired().get(B).get("g.service").target()).isEqualTo("launched");
    }

    @Test
    void shouldLetAReplacingUnitTakeTheMachineAndMoveTheReplacedOne() {
        Map<String, String> on = placedOn(
                List.of(
                        unit("old.service", "", "launched", A),
                        unit("new.service", "Replaces=old.service;MachineMetadata=role=x")),
                List.of(machine(A, "role=x"), machine(B)));
        assertThat(on).containsEntry("new.service", A).containsEntry("old.service", B);
    }

    @Test
    void shouldNotPlaceAUnitBesideOneThatReplacesIt() {
        Map<String, String> on = placedOn(
                List.of(unit("new.service", "Replaces=old.service"), unit("old.service", "")), List.of(machine(A)));
        assertThat(on).containsEntry("new.service", A).containsEntry("old.service", null);
    }

    private static Map<String, String> mapOfNull(String key) {
        return mapOf(key, null);
    }

    private static Map<String, String> mapOf(String... kv) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }
}
