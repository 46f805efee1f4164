package dev.flotilla.service.web;

import java.time.Duration;
import java.util.function.Supplier;

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

    static <T> Multi<T> changes(Supplier<T> read) {
        return Multi.createFrom()
                .ticks()
                .every(EVERY)
                .onOverflow()
                .drop()
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .map(tick -> read.get())
                .skip()
                .repetitions();
    }
}
