package dev.flotilla.service.notify.brokenrule;

import dev.flotilla.service.machine.MachineRef;

/** Breaks {@code notifyShouldDependOnNoFeature} on purpose, for {@code ArchitectureRulesFailTest}. */
public class KnowsAFeature {
    MachineRef parse(String payload) {
        return MachineRef.parse(payload);
    }
}
