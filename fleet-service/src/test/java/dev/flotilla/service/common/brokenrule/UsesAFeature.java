package dev.flotilla.service.common.brokenrule;

import dev.flotilla.service.units.Placements;

/** Breaks {@code commonShouldDependOnNoFeature} on purpose, for {@code ArchitectureRulesFailTest}. */
public class UsesAFeature {
    Object plan() {
        return Placements.plan(java.util.List.of(), java.util.List.of(), java.util.Map.of());
    }
}
