package dev.flotilla.service.updates;

import java.time.Instant;

import dev.flotilla.api.rest.UpdateLeaseView;

/**
 * The lease rules as pure code: whether a policy grants a lease now and, if not, why and until
 * when; and the one word for where a machine's update stands. No database inside: what the rules
 * need of a policy's leases comes through a {@link Ledger}, asked only as far as the rules get
 * (a closed window never counts leases). {@link LeaseService} supplies the ledger under the
 * policy's lock, so a decision holds; {@code LeaseRulesTest} checks the rules in milliseconds.
 */
public final class LeaseRules {
    private LeaseRules() {}

    /** What a request for a lease got. */
    public record Decision(String state, String reason, Instant nextPossibleAt, UpdateLeaseView lease) {
        public boolean granted() {
            return lease != null;
        }
    }

    /** What the rules read of one policy's leases and machines. */
    interface Ledger {
        /** Machines that follow the policy (a percentage limit is of them). */
        int machines();

        /** Leases of the policy live now. */
        int live();

        /** Leases of the policy granted after {@code since}. */
        int grantedSince(Instant since);

        /** The oldest grant of the policy after {@code since}, or null. */
        Instant oldestGrantSince(Instant since);
    }

    /**
     * Why policy {@code p} refuses a lease at {@code now}, or null when it grants one. In order:
     * policy paused, machine paused, outside every window, at most maxParallel live leases (one
     * while safe mode is unproven), at most maxPerPeriod granted per period.
     */
    static Decision refusal(Policy p, boolean machinePaused, Instant now, Ledger ledger) {
        if (p.paused()) {
            return new Decision(
                    "paused",
                    "updates are paused for policy " + p.name()
                            + (p.pausedReason() == null ? "" : ": " + p.pausedReason()),
                    null,
                    null);
        }
        if (machinePaused) {
            return new Decision("paused", "updates are paused for this machine", null, null);
        }
        if (!p.schedule().isOpen(now)) {
            Instant next = p.schedule().nextOpening(now).orElse(null);
            return new Decision(
                    "waiting_for_window",
                    "outside every window of policy " + p.name() + (next == null ? "" : "; the next opens at " + next),
                    next,
                    null);
        }
        int holding = ledger.live();
        int limit = p.parallelLimit(ledger.machines());
        if (holding >= limit) {
            String why = p.safeMode() && !p.proven()
                    ? "safe mode: the first machine updates alone (" + holding + " updating)"
                    : holding + " of " + limit + " machines allowed at once are updating";
            return new Decision("on_hold", why, null, null);
        }
        if (p.maxPerPeriod() != null) {
            Instant since = now.minus(p.period());
            int granted = ledger.grantedSince(since);
            if (granted >= p.maxPerPeriod()) {
                Instant oldest = ledger.oldestGrantSince(since);
                Instant free = oldest == null ? null : oldest.plus(p.period());
                return new Decision(
                        "on_hold",
                        granted + " updates started in the last " + p.period() + " (at most " + p.maxPerPeriod() + ")",
                        free,
                        null);
            }
        }
        return null;
    }

    /** What a machine's agent last reported of its updates (all null: nothing yet). */
    record Reported(
            boolean paused,
            String state,
            Integer pending,
            Integer security,
            String targetVersion,
            String osVersion,
            String detail,
            Instant at) {
        static final Reported NOTHING = new Reported(false, null, null, null, null, null, null, null);
    }

    /** How the machine's last ended lease ended, and when (null outcome: it never had one). */
    record LastLease(String outcome, Instant endedAt) {
        static final LastLease NONE = new LastLease(null, null);
    }

    /**
     * One word for where a machine's update stands: the agent's own word while it holds a lease
     * (updating, rebooting) or after its last attempt (complete, failed); a lease that expired
     * after the last report is timed_out; with updates pending and no lease, the lease decision
     * ({@code decision}: ready, paused, waiting_for_window, on_hold).
     */
    static String progress(Reported r, boolean holding, LastLease last, String decision) {
        if (holding) {
            return "updating".equals(r.state()) || "rebooting".equals(r.state()) ? r.state() : "granted";
        }
        if ("timed_out".equals(last.outcome()) && (r.at() == null || r.at().isBefore(last.endedAt()))) {
            return "timed_out";
        }
        if ("failed".equals(r.state())) {
            return "failed";
        }
        if (r.pending() != null && r.pending() > 0) {
            return decision; // the same word as the lease decision: ready, paused, waiting_for_window, on_hold
        }
        if ("complete".equals(r.state())) {
            return "complete";
        }
        if ("idle".equals(r.state()) && "complete".equals(last.outcome())) {
            return "complete"; // its last update completed and nothing is pending since
        }
        return r.state() == null ? "idle" : r.state();
    }
}
