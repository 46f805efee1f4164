package dev.flotilla.api.protocol;

import java.util.List;

/**
 * Service → agent: every unit Flotilla manages on this machine. Units the agent manages that are
 * not listed are stopped and their files removed. Each change of what a machine must run has a
 * higher generation; the agent acknowledges a generation with {@link DesiredStateResult}.
 *
 * @param generation increases whenever this machine's desired state changes
 * @param units the units Flotilla manages here
 */
public record DesiredState(long generation, List<DesiredUnit> units) implements Frame {
    public DesiredState {
        units = List.copyOf(units);
    }
}
