package dev.flotilla.service.overview;

import java.time.Instant;
import java.util.List;

/**
 * An organization's fleet at a glance, as the overview page shows it: counts only, and the first
 * few rows of each list (the page links to the full lists).
 */
public record Overview(
        Presences presences,
        List<Bucket> day,
        List<Bucket> week,
        List<Count> unitStates,
        List<UnitRow> units,
        int unitCount,
        List<RolloutRow> rollouts,
        List<PolicyRow> policies,
        List<Count> osVersions,
        int moreOsVersions,
        int waitingForUpdate,
        List<Count> agentVersions,
        int moreAgentVersions) {

    /** Machines by presence now. */
    public record Presences(int online, int offline, int lost) {
        public int total() {
            return online + offline + lost;
        }
    }

    /** Machines by presence at one time of the history. */
    public record Bucket(Instant at, int online, int offline, int lost) {}

    /** How many have one value ({@code unknown} when the agent has not said). */
    public record Count(String value, int count) {}

    /** A unit with its placements by state; {@code failedOn} the first hosts it failed on. */
    public record UnitRow(String name, int placed, int active, int failed, List<Host> failedOn) {
        /** Machines it failed on beyond those named. */
        public int moreFailed() {
            return failed - failedOn.size();
        }
    }

    /** A machine named for people. */
    public record Host(String id, String hostname) {}

    /** A rollout of a global unit in progress: its machines so far of {@code placed}. */
    public record RolloutRow(String unit, String state, int healthy, int updating, int failed, int placed) {
        /** Healthy machines in percent of the unit's machines (what the progress bar shows). */
        public int percent() {
            return placed == 0 ? 0 : Math.min(100, healthy * 100 / placed);
        }

        /** The progress bar's maximum (never 0, which HTML does not allow). */
        public int max() {
            return Math.max(1, placed);
        }
    }

    /** An update policy with machines updating now, or that completed updates in the last 24 hours. */
    public record PolicyRow(String name, int updating, String maxParallel, int completedToday, boolean paused) {
        /** This round's updates: completed in the last 24 hours and going on now (the progress bar's maximum). */
        public int round() {
            return Math.max(1, completedToday + updating);
        }
    }
}
