package dev.flotilla.api.protocol;

import java.util.List;

/**
 * Agent → service: what came of applying a generation of desired state.
 *
 * @param generation the generation applied
 * @param units one result per unit acted on
 */
public record DesiredStateResult(long generation, List<UnitResult> units) implements Frame {
    public DesiredStateResult {
        units = List.copyOf(units);
    }

    /**
     * @param name the unit
     * @param ok whether it reached its target state
     * @param error systemd's reason when it did not (e.g. {@code failed (Result=exit-code)}), or why
     *     the agent refused the unit
     */
    public record UnitResult(String name, boolean ok, String error) {}
}
