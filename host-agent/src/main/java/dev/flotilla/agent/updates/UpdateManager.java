package dev.flotilla.agent.updates;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Logger;

import dev.flotilla.api.protocol.Frame;
import dev.flotilla.api.protocol.LeaseReply;
import dev.flotilla.api.protocol.LeaseRequest;
import dev.flotilla.api.protocol.UpdateReport;

/**
 * Finds pending updates and applies them only while holding a lease from the service: check →
 * report → ask for a lease → run the update command → reboot when the host needs it → after the
 * reboot (the next start of the agent), report steady state, which ends the lease. A marker file
 * in the agent's state folder carries "rebooting for an update" across the reboot.
 */
public final class UpdateManager implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(UpdateManager.class.getName());
    static final int TAIL = 4096;
    static final Duration LEASE_ANSWER = Duration.ofSeconds(30);
    static final Duration REBOOT_WAIT = Duration.ofMinutes(5);
    /** The first check, after the agent has had time to connect. */
    static final Duration FIRST_CHECK = Duration.ofSeconds(5);

    private final UpdateSettings settings;
    private final Path marker;
    private final Function<Frame, CompletableFuture<Boolean>> send;
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "agent-updates");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, CompletableFuture<LeaseReply>> waiting = new ConcurrentHashMap<>();
    private volatile UpdateReport last;

    /**
     * @param stateDir the agent's state folder (the reboot marker lives there)
     * @param send sends a frame on the agent's connection; false when it is down
     */
    public UpdateManager(UpdateSettings settings, Path stateDir, Function<Frame, CompletableFuture<Boolean>> send) {
        this.settings = settings;
        this.marker = stateDir.resolve("update-rebooting");
        this.send = send;
    }

    public void start() {
        if (settings.enabled()) {
            LOG.info("updates on: checking every " + settings.interval());
            worker.scheduleWithFixedDelay(
                    this::cycle, FIRST_CHECK.toMillis(), settings.interval().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** The service welcomed the agent: report steady state after an update's reboot, or the last report again. */
    public void welcomed() {
        worker.execute(() -> {
            if (Files.exists(marker)) {
                UpdateReport done =
                        new UpdateReport("complete", 0, 0, null, osVersion(), "up again after the update's reboot");
                if (report(done)) {
                    try {
                        Files.deleteIfExists(marker);
                    } catch (IOException e) {
                        LOG.warning("cannot remove " + marker + ": " + e.getMessage());
                    }
                }
            } else if (last != null) {
                report(last);
            }
        });
    }

    public void leaseReply(LeaseReply reply) {
        CompletableFuture<LeaseReply> f = waiting.remove(reply.requestId());
        if (f != null) {
            f.complete(reply);
        }
    }

    /** One round: check, and update if a lease is granted. Runs on the worker thread. */
    void cycle() {
        try {
            if (Files.exists(marker)) {
                return; // rebooting, or not yet told the service we are back
            }
            Check check = check();
            if (check == null) {
                return;
            }
            if (check.pending() == 0) {
                reportChange(new UpdateReport("idle", 0, 0, null, osVersion(), null));
                return;
            }
            reportChange(
                    new UpdateReport("pending", check.pending(), check.security(), check.target(), osVersion(), null));
            LeaseReply lease = askForLease();
            if (lease == null) {
                return;
            }
            if (!lease.granted()) {
                LOG.info("updates pending, no lease yet: " + lease.reason());
                return;
            }
            LOG.info("lease granted until " + lease.expiresAt() + ": updating");
            report(new UpdateReport("updating", check.pending(), check.security(), check.target(), osVersion(), null));
            Run run = run(settings.apply(), settings.timeout());
            boolean rebootCode = run.exit() == settings.rebootExitCode();
            if (run.exit() != 0 && !rebootCode) {
                LOG.warning("the update command failed (exit " + run.exit() + ")");
                report(new UpdateReport(
                        "failed",
                        check.pending(),
                        check.security(),
                        check.target(),
                        osVersion(),
                        "exit " + run.exit() + ": " + run.tail()));
                return;
            }
            if (rebootCode || Files.exists(settings.rebootRequired())) {
                // The lease may have ended while the command ran (expired, released by hand, the
                // updates cancelled): ask again (the service answers a holder with its own lease)
                // and reboot only while holding one, so the policy's limit holds for reboots too.
                LeaseReply still = askForLease();
                if (still == null || !still.granted()) {
                    report(new UpdateReport(
                            "failed",
                            0,
                            0,
                            check.target(),
                            osVersion(),
                            "updated, but not rebooted: the lease ended before the reboot"
                                    + (still == null ? "" : " (" + still.reason() + ")")));
                    return;
                }
                Files.writeString(marker, "rebooting for an update\n");
                report(new UpdateReport("rebooting", 0, 0, check.target(), osVersion(), null));
                Thread.sleep(500); // let the report leave before the reboot takes the agent down
                LOG.info("rebooting: " + settings.reboot());
                Run reboot = run(settings.reboot(), Duration.ofMinutes(2));
                // A reboot takes the agent down with it, often while the command still runs (so it
                // "exits" killed by a signal, 128+). Only a plain failure (1-127) is one; otherwise
                // wait to be taken down, and fail only if that never happens.
                if (reboot.exit() > 0 && reboot.exit() < 128) {
                    Files.deleteIfExists(marker);
                    report(new UpdateReport(
                            "failed",
                            0,
                            0,
                            check.target(),
                            osVersion(),
                            "reboot command exit " + reboot.exit() + ": " + reboot.tail()));
                    return;
                }
                Thread.sleep(REBOOT_WAIT.toMillis());
                Files.deleteIfExists(marker);
                report(new UpdateReport(
                        "failed",
                        0,
                        0,
                        check.target(),
                        osVersion(),
                        "still running " + REBOOT_WAIT.toMinutes() + " minutes after the reboot command"));
                return;
            }
            Check after = check();
            report(new UpdateReport(
                    "complete",
                    after == null ? 0 : after.pending(),
                    after == null ? 0 : after.security(),
                    null,
                    osVersion(),
                    null));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warning("update round failed: " + e);
        }
    }

    private LeaseReply askForLease() throws InterruptedException {
        String id = UUID.randomUUID().toString();
        CompletableFuture<LeaseReply> answer = new CompletableFuture<>();
        waiting.put(id, answer);
        try {
            if (!send.apply(new LeaseRequest(id)).join()) {
                return null; // not connected: next round
            }
            return answer.get(LEASE_ANSWER.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.warning("no answer to the lease request");
            return null;
        } finally {
            waiting.remove(id);
        }
    }

    /** Reports only what differs from the last report (a check every few seconds says the same). */
    private void reportChange(UpdateReport r) {
        if (!r.equals(last)) {
            report(r);
        }
    }

    private boolean report(UpdateReport r) {
        last = r;
        return send.apply(r).join();
    }

    /** What the check command found. */
    record Check(int pending, int security, String target) {}

    Check check() throws InterruptedException {
        Run run;
        try {
            run = run(settings.check(), Duration.ofMinutes(10));
        } catch (IOException e) {
            LOG.warning("cannot run the update check: " + e.getMessage());
            return null;
        }
        if (run.exit() != 0) {
            LOG.warning("the update check failed (exit " + run.exit() + "): " + run.tail());
            return null;
        }
        return parse(run.output());
    }

    static Check parse(String output) {
        int pending = 0;
        int security = 0;
        String target = null;
        for (String line : output.split("\n")) {
            String l = line.strip();
            if (l.isEmpty()) {
                continue;
            }
            if (l.startsWith("target-version:")) {
                target = l.substring("target-version:".length()).strip();
                continue;
            }
            pending++;
            if (l.toLowerCase(java.util.Locale.ROOT).contains("security")) {
                security++;
            }
        }
        return new Check(pending, security, target);
    }

    /** A finished command: its exit code, its whole output (stdout and stderr) and the tail of it. */
    record Run(int exit, String output) {
        String tail() {
            return output.length() <= TAIL ? output : output.substring(output.length() - TAIL);
        }
    }

    static Run run(String command, Duration timeout) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of("/bin/sh", "-c", command))
                .redirectErrorStream(true)
                .start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = p.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly); // the package manager, not only sh
            p.destroyForcibly();
            return new Run(124, "timed out after " + timeout);
        }
        return new Run(p.exitValue(), out.join());
    }

    static String osVersion() {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
                if (line.startsWith("PRETTY_NAME=")) {
                    return line.substring("PRETTY_NAME=".length()).replace("\"", "");
                }
            }
        } catch (IOException e) {
            // below
        }
        return null;
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
