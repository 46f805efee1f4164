package dev.flotilla.service.agent;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.flotilla.service.machine.MachineRef;
import dev.flotilla.service.machine.MachineService;
import io.quarkus.runtime.StartupEvent;

/**
 * Checks the credentials of agent connections in batches: those that arrive together are looked
 * up in one query, on threads of their own. A storm of 10,000 connections was 10,000 lookups, each
 * waiting for one of the pool's database connections on an HTTP worker thread, long enough for
 * agents to give up and come back; a connection that closed while it waited is not looked up.
 */
@ApplicationScoped
public class CredentialChecks {
    private static final Logger LOG = Logger.getLogger(CredentialChecks.class);

    /** Credentials looked up in one query at most. */
    static final int MAX_BATCH = 500;

    private record Check(
            byte[] hash, java.util.function.BooleanSupplier wanted, CompletableFuture<Optional<MachineRef>> done) {}

    @Inject
    MachineService machines;

    private final BlockingQueue<Check> queue = new LinkedBlockingQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    void start(@Observes StartupEvent event) {
        for (int i = 0; i < 2; i++) {
            Thread t = new Thread(this::run, "agent-credentials-" + i);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
    }

    @PreDestroy
    void stop() {
        running = false;
        threads.forEach(Thread::interrupt);
    }

    /**
     * The machine a credential hash belongs to; empty when none (or {@code wanted} said, by the
     * time its batch ran, that nobody waits for the answer any more). Completes on a thread of
     * this class; fails when the database could not be asked.
     */
    CompletableFuture<Optional<MachineRef>> check(byte[] hash, java.util.function.BooleanSupplier wanted) {
        CompletableFuture<Optional<MachineRef>> done = new CompletableFuture<>();
        if (hash == null) {
            done.complete(Optional.empty());
            return done;
        }
        queue.add(new Check(hash, wanted, done));
        return done;
    }

    private void run() {
        List<Check> batch = new ArrayList<>();
        while (running) {
            try {
                Check first = queue.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                lookUp(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warnf("checking %d agent credentials failed: %s", batch.size(), e.getMessage());
                batch.forEach(c -> c.done().completeExceptionally(e));
            } finally {
                batch.clear();
            }
        }
    }

    private void lookUp(List<Check> batch) {
        List<Check> wanted = new ArrayList<>();
        for (Check c : batch) {
            if (c.wanted().getAsBoolean()) {
                wanted.add(c);
            } else {
                c.done().complete(Optional.empty());
            }
        }
        if (wanted.isEmpty()) {
            return;
        }
        Map<String, MachineRef> found = io.quarkus.narayana.jta.QuarkusTransaction.requiringNew()
                .call(() ->
                        machines.byCredentials(wanted.stream().map(Check::hash).toList()));
        HexFormat hex = HexFormat.of();
        for (Check c : wanted) {
            c.done().complete(Optional.ofNullable(found.get(hex.formatHex(c.hash()))));
        }
    }
}
