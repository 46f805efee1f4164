package dev.flotilla.service.web;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import dev.flotilla.api.rest.FleetState;
import dev.flotilla.api.rest.UnitView;
import dev.flotilla.service.common.ProblemException;
import dev.flotilla.service.observed.UnitStateService;
import dev.flotilla.service.units.UnitService;

/**
 * What a unit's page shows live: counts and the machine-by-state table. Read from PostgreSQL, so
 * the page follows machines connected to any replica.
 */
@ApplicationScoped
public class UnitLive {
    @Inject
    UnitService units;

    @Inject
    UnitStateService states;

    @Inject
    Hostnames hosts;

    /** A unit's machines by state; {@code gone} once the unit is destroyed. */
    public record Snapshot(
            boolean gone,
            String target,
            int placed,
            int active,
            int failed,
            List<StateCount> byState,
            List<FleetState.Entry> machines,
            java.util.Map<String, String> hosts) {}

    /** How many machines report the unit in one systemd active state. */
    public record StateCount(String state, int machines) {}

    @ActivateRequestContext
    @Transactional
    public Snapshot snapshot(UUID org, String name) {
        UnitView unit;
        try {
            unit = units.get(org, name);
        } catch (ProblemException e) {
            return new Snapshot(true, null, 0, 0, 0, List.of(), List.of(), java.util.Map.of());
        }
        List<FleetState.Entry> rows = states.fleetState(org, null, name, null, UnitStateService.MAX_PAGE)
                .states();
        java.util.Map<String, Integer> counts = new java.util.TreeMap<>();
        rows.forEach(r -> counts.merge(r.systemdActiveState(), 1, Integer::sum));
        List<StateCount> byState = counts.entrySet().stream()
                .map(e -> new StateCount(e.getKey(), e.getValue()))
                .toList();
        java.util.Map<String, String> names =
                hosts.of(org, rows.stream().map(FleetState.Entry::machineID).toList());
        return new Snapshot(false, unit.target(), unit.placed(), unit.active(), unit.failed(), byState, rows, names);
    }
}
