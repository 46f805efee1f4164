package dev.flotilla.service.units;

import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The leader's marks: pure bookkeeping, no database. Times are nanoseconds of a made-up clock. */
class DirtyOrgsTest {
    private static final long SECOND = 1_000_000_000L;
    private final UUID a = UUID.randomUUID();
    private final UUID b = UUID.randomUUID();
    private final DirtyOrgs dirty = new DirtyOrgs();

    @Test
    void shouldDrainOnlyTheMarkedOrganizationsOnceEachHoweverOftenTheyChanged() {
        dirty.mark(a, 0);
        dirty.mark(a, 1);
        dirty.mark(a, 2);

        assertThat(dirty.drain(10)).containsExactly(a);
        assertThat(dirty.drain(20)).isEmpty();
        assertThat(dirty.size()).isZero();
    }

    @Test
    void shouldDrainTheLongestWaitingFirst() {
        dirty.mark(b, 5);
        dirty.mark(a, 3);

        assertThat(dirty.drain(10)).containsExactly(a, b);
    }

    @Test
    void shouldKeepAnOrganizationWhoseShareIsUsedUpMarkedUntilItRefillsThoughMarkedAgain() {
        dirty.defer(a, SECOND);
        dirty.mark(a, 10); // a change meanwhile cannot be placed sooner

        assertThat(dirty.drain(SECOND - 1)).isEmpty();
        assertThat(dirty.size()).isEqualTo(1);
        assertThat(dirty.drain(SECOND)).containsExactly(a);
    }

    @Test
    void shouldRetryADeferredOrganizationThatNoChangeMarksAgain() {
        dirty.mark(a, 0);
        assertThat(dirty.drain(1)).containsExactly(a);
        dirty.defer(a, 1 + SECOND); // its reconcile found the share used up

        assertThat(dirty.drain(SECOND)).isEmpty();
        assertThat(dirty.drain(2 * SECOND)).containsExactly(a);
    }

    @Test
    void shouldComeBackToARunningRolloutWhenDueOrSoonerWhenMarked() {
        dirty.dueAt(a, 2 * SECOND);
        assertThat(dirty.drain(SECOND)).isEmpty();
        assertThat(dirty.drain(2 * SECOND)).containsExactly(a);

        dirty.dueAt(b, 2 * SECOND);
        dirty.mark(b, SECOND); // a result arrived
        assertThat(dirty.drain(SECOND)).containsExactly(b);
    }

    @Test
    void shouldAskForOneFullPassAfterMarksMayHaveBeenMissed() {
        assertThat(dirty.takeFullPass()).isFalse();
        dirty.requestFullPass();
        dirty.requestFullPass();

        assertThat(dirty.takeFullPass()).isTrue();
        assertThat(dirty.takeFullPass()).isFalse();
    }

    @Test
    void shouldForgetEveryMarkWhenClearedAsLeadershipIsLost() {
        dirty.mark(a, 0);
        dirty.defer(b, SECOND);
        dirty.clear();

        assertThat(dirty.drain(10 * SECOND)).isEmpty();
    }

    @Test
    void shouldCompareTimesAcrossTheNanoClocksWrap() {
        long nearWrap = Long.MAX_VALUE - 10;
        dirty.mark(a, nearWrap);

        assertThat(dirty.drain(nearWrap + 20)).containsExactly(a); // past the wrap: negative, still later
    }
}
