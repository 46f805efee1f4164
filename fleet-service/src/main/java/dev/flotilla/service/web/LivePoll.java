package dev.flotilla.service.web;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import dev.flotilla.service.common.ProblemException;
import dev.flotilla.service.org.OrgService;
import dev.flotilla.service.tenant.Actor;
import dev.flotilla.service.tenant.Concurrency;
import dev.flotilla.service.tenant.LimitsConfig;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * The dashboard's live views: read the database every 2 s on a worker thread (the reads block),
 * send only what changed. Reading PostgreSQL rather than an in-memory feed keeps a page right
 * whichever replica holds the agents.
 */
final class LivePoll {
    static final Duration EVERY = Duration.ofSeconds(2);

    private LivePoll() {}

    /**
     * A pushed stream that also ends at the first tick at which {@code allowed} says no, even
     * while nothing is pushed.
     */
    static <T> Multi<T> whileAllowed(Multi<T> stream, BooleanSupplier allowed) {
        Multi<java.util.Optional<T>> items = stream.map(java.util.Optional::of);
        Multi<java.util.Optional<T>> refusals = Multi.createFrom()
                .ticks()
                .every(EVERY)
                .onOverflow()
                .drop()
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .filter(tick -> !allowed.getAsBoolean())
                .map(tick -> java.util.Optional.<T>empty());
        return Multi.createBy()
                .merging()
                .streams(items, refusals)
                .select()
                .first(java.util.Optional::isPresent)
                .map(java.util.Optional::get);
    }

    /**
     * The stream, counted against the caller's and the organization's live views for as long as it
     * runs; 429 when either already holds its limit (a viewer token must not hold hundreds open).
     */
    static <T> Multi<T> held(Multi<T> stream, Concurrency concurrency, LimitsConfig limits, Actor actor) {
        Concurrency.Permit permit = concurrency
                .acquire("stream", actor.name(), actor.orgId(), limits.streamsPerCaller(), limits.streamsPerOrg())
                .orElseThrow(() -> ProblemException.tooMany(
                        "too many live views open (at most " + limits.streamsPerCaller() + " per caller, "
                                + limits.streamsPerOrg() + " per organization); close one",
                        5));
        return stream.onTermination().invoke(permit::close);
    }

    /** Whether the caller of this request is still a member of the organization it acts in (read values now, check later). */
    static BooleanSupplier stillMember(Actor actor, OrgService orgs) {
        String subject = actor.subject();
        java.util.UUID org = actor.orgId();
        if (subject == null) {
            return () -> true; // an API token: checked when the stream opened, like any request
        }
        return () -> orgs.isMember(org, subject);
    }

    /**
     * The stream ends at the first tick at which {@code allowed} says no: a member removed from
     * the organization stops getting updates within {@link #EVERY}, as their next request is refused.
     */
    static <T> Multi<T> changes(Supplier<T> read, BooleanSupplier allowed) {
        return Multi.createFrom()
                .ticks()
                .every(EVERY)
                .onOverflow()
                .drop()
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .select()
                .first(tick -> allowed.getAsBoolean())
                .map(tick -> read.get())
                .skip()
                .repetitions();
    }
}
