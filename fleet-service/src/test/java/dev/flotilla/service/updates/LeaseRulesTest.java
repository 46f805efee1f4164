package dev.flotilla.service.updates;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.flotilla.api.rest.UpdateWindow;
import dev.flotilla.api.selector.LabelSelector;
import dev.flotilla.service.updates.LeaseRules.Decision;
import dev.flotilla.service.updates.LeaseRules.LastLease;
import dev.flotilla.service.updates.LeaseRules.Ledger;
import dev.flotilla.service.updates.LeaseRules.Reported;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lease rules without a database: a policy, a ledger of its leases written out by hand, and
 * the decision. {@code UpdateLeaseTest} checks the same rules through the API under concurrency.
 */
class LeaseRulesTest {
    /** Monday 2026-12-07 10:00 UTC. */
    private static final Instant NOW = LocalDateTime.parse("2026-12-07T10:00").toInstant(ZoneOffset.UTC);

    /** A ledger of fixed figures that records which of them the rules asked for. */
    static final class FixedLedger implements Ledger {
        final int machines;
        final int live;
        final int granted;
        final Instant oldest;
        final List<String> asked = new ArrayList<>();

        FixedLedger(int machines, int live, int granted, Instant oldest) {
            this.machines = machines;
            this.live = live;
            this.granted = granted;
            this.oldest = oldest;
        }

        @Override
        public int machines() {
            asked.add("machines");
            return machines;
        }

        @Override
        public int live() {
            asked.add("live");
            return live;
        }

        @Override
        public int grantedSince(Instant since) {
            asked.add("granted");
            return granted;
        }

        @Override
        public Instant oldestGrantSince(Instant since) {
            asked.add("oldest");
            return oldest;
        }
    }

    static Policy policy(
            String maxParallel, Integer maxPerPeriod, boolean safeMode, boolean proven, boolean enabled, Schedule s) {
        return new Policy(
                java.util.UUID.randomUUID(),
                "web",
                "role=web",
                LabelSelector.parse("role=web"),
                10,
                List.of(),
                s,
                maxParallel,
                maxPerPeriod,
                Duration.ofDays(1),
                Duration.ofHours(1),
                safeMode,
                1,
                proven,
                0,
                !enabled, // paused
                enabled ? null : "by hand",
                NOW,
                NOW);
    }

    static Policy open(String maxParallel) {
        return policy(maxParallel, null, false, true, true, Schedule.always());
    }

    @Test
    void shouldGrantWhenOpenAndUnderEveryLimit() {
        assertThat(LeaseRules.refusal(open("2"), false, NOW, new FixedLedger(10, 1, 0, null)))
                .isNull();
    }

    @Test
    void shouldRefuseAPausedPolicyFirstAndNameTheReason() {
        FixedLedger ledger = new FixedLedger(10, 0, 0, null);
        Decision d = LeaseRules.refusal(policy("2", null, false, true, false, Schedule.always()), true, NOW, ledger);
        assertThat(d.state()).isEqualTo("paused");
        assertThat(d.reason()).isEqualTo("updates are paused for policy web: by hand");
        assertThat(ledger.asked).as("a paused policy counts no leases").isEmpty();
    }

    @Test
    void shouldRefuseAPausedMachine() {
        Decision d = LeaseRules.refusal(open("2"), true, NOW, new FixedLedger(10, 0, 0, null));
        assertThat(d.state()).isEqualTo("paused");
        assertThat(d.reason()).isEqualTo("updates are paused for this machine");
    }

    @Test
    void shouldWaitForTheNextWindowOutsideEveryWindowWithoutCountingLeases() {
        // Mondays 22:00 for one hour, UTC: closed at 10:00, next at 22:00 the same day.
        Schedule s = Schedule.of(List.of(new UpdateWindow(List.of("MON"), "22:00", null, "PT1H", "UTC")));
        FixedLedger ledger = new FixedLedger(10, 0, 0, null);
        Decision d = LeaseRules.refusal(policy("2", null, false, true, true, s), false, NOW, ledger);
        assertThat(d.state()).isEqualTo("waiting_for_window");
        assertThat(d.nextPossibleAt()).isEqualTo(NOW.plus(Duration.ofHours(12)));
        assertThat(ledger.asked).isEmpty();
    }

    @Test
    void shouldHoldAtMaxParallelLiveLeases() {
        Decision d = LeaseRules.refusal(open("2"), false, NOW, new FixedLedger(10, 2, 0, null));
        assertThat(d.state()).isEqualTo("on_hold");
        assertThat(d.reason()).isEqualTo("2 of 2 machines allowed at once are updating");
    }

    @Test
    void shouldTakeAPercentageOfTheMachinesRoundedDownButAtLeastOne() {
        assertThat(LeaseRules.refusal(open("25%"), false, NOW, new FixedLedger(10, 2, 0, null)))
                .isNotNull(); // 25 % of 10 is 2
        assertThat(LeaseRules.refusal(open("25%"), false, NOW, new FixedLedger(12, 2, 0, null)))
                .isNull(); // 25 % of 12 is 3
        assertThat(LeaseRules.refusal(open("10%"), false, NOW, new FixedLedger(3, 0, 0, null)))
                .isNull(); // at least one
    }

    @Test
    void shouldLetOneMachineAloneUpdateWhileSafeModeIsUnproven() {
        Policy unproven = policy("5", null, true, false, true, Schedule.always());
        Decision d = LeaseRules.refusal(unproven, false, NOW, new FixedLedger(10, 1, 0, null));
        assertThat(d.state()).isEqualTo("on_hold");
        assertThat(d.reason()).startsWith("safe mode: the first machine updates alone");
        Policy proven = policy("5", null, true, true, true, Schedule.always());
        assertThat(LeaseRules.refusal(proven, false, NOW, new FixedLedger(10, 1, 0, null)))
                .isNull();
    }

    @Test
    void shouldHoldAtMaxPerPeriodUntilTheOldestGrantLeavesThePeriod() {
        Instant oldest = NOW.minus(Duration.ofHours(20));
        Decision d = LeaseRules.refusal(
                policy("5", 3, false, true, true, Schedule.always()), false, NOW, new FixedLedger(10, 0, 3, oldest));
        assertThat(d.state()).isEqualTo("on_hold");
        assertThat(d.nextPossibleAt()).isEqualTo(oldest.plus(Duration.ofDays(1)));
        assertThat(LeaseRules.refusal(
                        policy("5", 3, false, true, true, Schedule.always()),
                        false,
                        NOW,
                        new FixedLedger(10, 0, 2, oldest)))
                .isNull();
    }

    static Reported reported(String state, Integer pending, Instant at) {
        return new Reported(false, state, pending, null, null, null, null, at);
    }

    @Test
    void shouldNameTheProgressOfAMachineHoldingALeaseByWhatItsAgentSays() {
        assertThat(LeaseRules.progress(reported("rebooting", 1, NOW), true, LastLease.NONE, "granted"))
                .isEqualTo("rebooting");
        assertThat(LeaseRules.progress(reported("idle", 1, NOW), true, LastLease.NONE, "granted"))
                .isEqualTo("granted");
    }

    @Test
    void shouldCallALeaseThatExpiredAfterTheLastReportTimedOut() {
        LastLease timedOut = new LastLease("timed_out", NOW);
        assertThat(LeaseRules.progress(reported("updating", 1, NOW.minusSeconds(60)), false, timedOut, "ready"))
                .isEqualTo("timed_out");
        // A report after the expiry speaks for itself.
        assertThat(LeaseRules.progress(reported("failed", 1, NOW.plusSeconds(60)), false, timedOut, "ready"))
                .isEqualTo("failed");
    }

    @Test
    void shouldGiveTheLeaseDecisionWhileUpdatesArePending() {
        // One word for one condition: the decision's own (state=ready is progress=ready).
        assertThat(LeaseRules.progress(reported("idle", 3, NOW), false, LastLease.NONE, "ready"))
                .isEqualTo("ready");
        assertThat(LeaseRules.progress(reported("idle", 3, NOW), false, LastLease.NONE, "waiting_for_window"))
                .isEqualTo("waiting_for_window");
    }

    @Test
    void shouldCallAnIdleMachineWhoseLastLeaseCompletedComplete() {
        assertThat(LeaseRules.progress(reported("idle", 0, NOW), false, new LastLease("complete", NOW), "ready"))
                .isEqualTo("complete");
        assertThat(LeaseRules.progress(reported("idle", 0, NOW), false, LastLease.NONE, "ready"))
                .isEqualTo("idle");
        assertThat(LeaseRules.progress(Reported.NOTHING, false, LastLease.NONE, "ready"))
                .isEqualTo("idle");
    }
}
