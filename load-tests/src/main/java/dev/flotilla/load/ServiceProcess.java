package dev.flotilla.load;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged service as a process of its own, so that the benchmark can read its CPU time and
 * resident memory from /proc, and kill and restart it under the swarm.
 */
final class ServiceProcess implements AutoCloseable {
    private final Path jar;
    private final Path work;
    private final Database db;
    private final int port;
    private final int managementPort;
    private final List<String> jvmOptions;
    private final HttpClient http = HttpClient.newHttpClient();
    private Process process;

    /** CPU time (seconds, user + system) and resident memory (bytes) at one moment. */
    record Usage(double cpuSeconds, long rssBytes) {}

    ServiceProcess(Path jar, Path work, Database db, int port, List<String> jvmOptions) throws IOException {
        this.jar = jar;
        this.work = work;
        this.db = db;
        this.port = port;
        this.managementPort = Baselines.freePort();
        this.jvmOptions = jvmOptions;
    }

    private boolean defaultLimits;
    private String cpus;

    /** Runs the service on these CPUs only ({@code taskset -c}, e.g. "0"): storms on a slower machine. */
    ServiceProcess onCpus(String cpus) {
        this.cpus = cpus;
        return this;
    }

    /** Runs the service with its default per-organization limits (the noisy-neighbour scenario). */
    ServiceProcess withDefaultLimits() {
        defaultLimits = true;
        return this;
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** The management port's base URL: {@code /q/metrics} is there, without a token. */
    String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    Path bootstrapFile() {
        return work.resolve("bootstrap.env");
    }

    /** Starts the service and waits until it answers ready; returns the milliseconds it took. */
    long start() throws IOException, InterruptedException {
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: build first (./flotilla build)");
        }
        List<String> command = new ArrayList<>();
        if (cpus != null) {
            command.add("taskset");
            command.add("-c");
            command.add(cpus);
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-Dflotilla.bootstrap.file=" + bootstrapFile());
        if (!defaultLimits) {
            // The bench measures the service, not its per-organization limits: one org, one token, 10,000 machines.
            command.add("-Dflotilla.limits.caller-per-second=1000000");
            command.add("-Dflotilla.limits.org-per-second=1000000");
            command.add("-Dflotilla.quota.machines=1000000");
            // The ingest ceiling offers more transitions per host than a real one makes.
            command.add("-Dflotilla.agent.max-frames-per-second=1000000");
            command.add("-Dflotilla.agent.max-frame-burst=1000000");
            command.add("-Dflotilla.agent.org-frames-per-second=1000000");
        }
        // The swarm enrolls from one address: many more a second than a stranger may.
        command.add("-Dflotilla.limits.anonymous-per-second=1000000");
        command.add("-jar");
        command.add(jar.toString());
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        work.resolve("service.log").toFile()));
        Map<String, String> env = pb.environment();
        env.put("FLOTILLA_DB_URL", db.jdbcUrl());
        env.put("FLOTILLA_DB_USER", db.user());
        env.put("FLOTILLA_DB_PASSWORD", db.password());
        env.put("FLOTILLA_PORT", String.valueOf(port));
        env.put("FLOTILLA_HOST", "127.0.0.1");
        env.put("FLOTILLA_MANAGEMENT_PORT", String.valueOf(managementPort));
        long t0 = System.nanoTime();
        process = pb.start();
        long deadline = t0 + TimeUnit.SECONDS.toNanos(180);
        while (!ready()) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "the service stopped while starting; see " + work.resolve("service.log"));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the service was not ready within 180 s");
            }
            Thread.sleep(100);
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private boolean ready() {
        try {
            HttpResponse<Void> r = http.send(
                    HttpRequest.newBuilder(URI.create(url() + "/q/health/ready"))
                            .timeout(Duration.ofSeconds(2))
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** SIGKILL: no goodbye to any agent, no flush. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, then wait. */
    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** The process's CPU time and RSS now, from /proc; null when it is not running. */
    Usage usage() {
        if (process == null || !process.isAlive()) {
            return null;
        }
        try {
            long pid = process.pid();
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"), StandardCharsets.US_ASCII);
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields after the command: state(0) ... utime(11) stime(12), in clock ticks (100 per second)
            double cpu = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
            long rss = 0;
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
            return new Usage(cpu, rss);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The heap still in use after a full collection (jcmd GC.run, then GC.heap_info): what the
     * service keeps, without the garbage a reading of the used heap at a random moment includes.
     * Null when jcmd cannot reach the process.
     */
    Long heapAfterGcBytes() {
        if (process == null || !process.isAlive()) {
            return null;
        }
        try {
            String jcmd =
                    Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
            String pid = String.valueOf(process.pid());
            run(jcmd, pid, "GC.run");
            String info = run(jcmd, pid, "GC.heap_info");
            java.util.regex.Matcher m =
                    java.util.regex.Pattern.compile("total \\d+K, used (\\d+)K").matcher(info);
            return m.find() ? Long.parseLong(m.group(1)) * 1024 : null;
        } catch (IOException | RuntimeException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
