package dev.flotilla.service.observed;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.flotilla.api.protocol.Frame;
import dev.flotilla.api.protocol.StateChanges;
import dev.flotilla.api.protocol.StateSnapshot;
import dev.flotilla.service.machine.MachineRef;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Stores what agents report with group commit: frames from many agents that arrive together are
 * written in one transaction (one WAL flush) instead of one each, the way etcd batches its raft
 * entries. Each frame's future completes, with the sequence number to acknowledge, only after the
 * transaction that holds it committed, so an agent forgets nothing that is not stored. A batch
 * that fails is retried frame by frame, so one bad frame does not fail the others.
 *
 * <p>The transaction issues each kind of statement once for all its frames ({@link StateRows},
 * {@link StateStatements}), not once per frame. Callers keep each agent's frames in order (one
 * outstanding frame per session), so a batch seldom holds two frames of one machine; when it does,
 * they are written one round after the other, in the order received.
 */
@ApplicationScoped
public class StateWriter {
    private static final Logger LOG = Logger.getLogger(StateWriter.class);

    record Job(MachineRef machine, Frame frame, CompletableFuture<Long> done) {}

    private static final Comparator<Job> BY_MACHINE = Comparator.comparing(Job::machine, StateRows.MACHINE_ORDER);

    private final BlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    private final List<Thread> writers = new ArrayList<>();
    private volatile boolean running = true;
    private DistributionSummary batchSizes;
    private Counter failedBatches;
    private Timer lag;

    @Inject
    StateStatements statements;

    @Inject
    MeterRegistry registry;

    @Inject
    IngestConfig config;

    void start(@Observes StartupEvent event) {
        batchSizes = DistributionSummary.builder("flotilla.ingest.batch.frames")
                .description("agent frames stored per transaction")
                .register(registry);
        failedBatches = Counter.builder("flotilla.ingest.batch.failed")
                .description("batches of agent frames that failed and were stored again frame by frame")
                .register(registry);
        lag = Timer.builder("flotilla.ingest.lag")
                .description("from a transition observed on its host to stored (by the agent's clock: skew shows here)")
                .publishPercentileHistogram()
                .minimumExpectedValue(java.time.Duration.ofMillis(1))
                .maximumExpectedValue(java.time.Duration.ofMinutes(10))
                .register(registry);
        for (int i = 0; i < Math.max(1, config.writers()); i++) {
            Thread t = new Thread(this::run, "state-writer-" + i);
            t.setDaemon(true);
            t.start();
            writers.add(t);
        }
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        writers.forEach(Thread::interrupt);
    }

    /** Queues a {@link StateChanges} or {@link StateSnapshot} frame; completes with the seq to acknowledge. */
    public CompletableFuture<Long> submit(MachineRef machine, Frame frame) {
        if (!(frame instanceof StateChanges) && !(frame instanceof StateSnapshot)) {
            throw new IllegalArgumentException(
                    "not a state frame: " + frame.getClass().getSimpleName());
        }
        CompletableFuture<Long> done = new CompletableFuture<>();
        queue.add(new Job(machine, frame, done));
        return done;
    }

    private void run() {
        List<Job> batch = new ArrayList<>();
        while (running) {
            try {
                Job first = queue.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, Math.max(0, config.maxBatch() - 1));
                write(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.error("the state writer failed", e);
                batch.forEach(j -> j.done().completeExceptionally(e));
            } finally {
                batch.clear();
            }
        }
    }

    /** Stores a batch (sorted here) in one transaction, or frame by frame when that fails. */
    void write(List<Job> batch) {
        batchSizes.record(batch.size());
        // Each statement locks its rows in one order (organization, machine, name), as the
        // heartbeat flush does: concurrent writers of different machines never deadlock.
        batch.sort(BY_MACHINE);
        try {
            QuarkusTransaction.requiringNew().run(() -> store(batch));
        } catch (RuntimeException e) {
            if (batch.size() == 1) {
                batch.get(0).done().completeExceptionally(e);
                return;
            }
            failedBatches.increment();
            LOG.warnf("a batch of %d agent frames failed (%s); storing them one by one", batch.size(), e.getMessage());
            for (Job job : batch) {
                try {
                    QuarkusTransaction.requiringNew().run(() -> store(List.of(job)));
                    job.done().complete(StateRows.acknowledged(job.frame()));
                } catch (RuntimeException one) {
                    job.done().completeExceptionally(one);
                }
            }
            return;
        }
        Instant stored = Instant.now();
        for (Job job : batch) {
            recordLag(job.frame(), stored);
        }
        for (Job job : batch) {
            job.done().complete(StateRows.acknowledged(job.frame()));
        }
    }

    /**
     * One statement per kind of row for all the frames of a round; a machine's second frame in the
     * batch (rare: a session replaced while its frame waited) goes in the next round, after its first.
     */
    private void store(List<Job> jobs) {
        Instant received = Instant.now();
        for (List<Job> round : StateRows.rounds(jobs, Job::machine)) {
            StateRows rows = new StateRows();
            round.forEach(j -> rows.add(j.machine(), j.frame()));
            statements.write(rows, received);
        }
    }

    private void recordLag(Frame frame, Instant stored) {
        if (frame instanceof StateSnapshot snapshot) {
            recordLag(snapshot.observedAt(), stored);
        } else if (frame instanceof StateChanges changes) {
            changes.changes().forEach(c -> recordLag(c.observedAt(), stored));
        }
    }

    private void recordLag(Instant observedAt, Instant stored) {
        if (observedAt != null) {
            lag.record(Math.max(0, stored.toEpochMilli() - observedAt.toEpochMilli()), TimeUnit.MILLISECONDS);
        }
    }
}
