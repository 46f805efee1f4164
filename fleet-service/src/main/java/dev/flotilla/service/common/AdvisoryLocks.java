package dev.flotilla.service.common;

/**
 * Every PostgreSQL advisory lock the service takes, in one place, so that no two uses share an id.
 * A "class" is the first key of the two-key form ({@code pg_advisory_xact_lock(class, key)}); the
 * others are single keys. Transaction locks unless said otherwise; all of them serialize replicas.
 */
public final class AdvisoryLocks {
    private AdvisoryLocks() {}

    /** The first start's bootstrap (the first account, organization and token): one replica does it. */
    public static final int BOOTSTRAP = 7001;

    /** The presence sweep: one replica sweeps a round, the others skip it (a try-lock). */
    public static final int PRESENCE_SWEEP = 7002;

    /** The overview's presence rollup: one replica writes a round's buckets, the others skip it (a try-lock). */
    public static final int PRESENCE_ROLLUP = 7003;

    /** Class: one organization's scheduling round (key: {@code hashtext} of the organization id). */
    public static final int SCHEDULING = 7005;

    /**
     * The scheduler's leadership: a session lock held on a connection of its own for as long as the
     * replica leads; it passes on when that connection closes.
     */
    public static final int SCHEDULER_LEADER = 7006;

    /** Class: one update policy's lease decisions (key: the organization and policy ids folded). */
    public static final int LEASES = 7010;

    /** Class: an organization's owners, so two owners demoting each other leave one (key: its id). */
    public static final int OWNERS = 7101;

    /** Class: one person's creation of organizations, so the owned count holds (key: the person). */
    public static final int ORG_CREATION = 7102;

    /** Class: an organization's quota of one kind of row (key: its id and the table). */
    public static final int QUOTA = 7201;

    /** One bulk label change at a time per organization (with the organization's hash). */
    public static final int BULK_LABELS = 7202;
}
