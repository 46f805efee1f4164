package dev.flotilla.load;

import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./flotilla swarm}, {@code bench}, {@code ha-drill}, {@code dashboard-bench} and {@code bench-scheduler}. */
@Command(
        name = "flotilla-load",
        mixinStandardHelpOptions = true,
        subcommands = {
            LoadMain.SwarmCommand.class,
            Bench.class,
            HaDrill.class,
            DashboardBench.class,
            SchedulerBench.class
        },
        description = "Flotilla's load tools: the agent swarm and the benchmark.")
public final class LoadMain implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(new CommandLine(new LoadMain()).execute(args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(
            name = "swarm",
            mixinStandardHelpOptions = true,
            description = {
                "Runs N simulated agents against a service until Ctrl-C. Each speaks the real protocol with the host"
                        + " agent's own client code; only systemd and the container engine are simulated. Identities"
                        + " are kept in --identities, so a second run reuses them (no enrollment token needed then).",
                "",
                "Example: ./flotilla swarm --agents 1000 --transitions-per-minute 1"
            })
    static final class SwarmCommand implements Callable<Integer> {
        @Option(names = "--agents", defaultValue = "100", description = "simulated hosts (default ${DEFAULT-VALUE})")
        int agents;

        @Option(
                names = "--url",
                defaultValue = "${env:FLOTILLA_URL}",
                description = "the service (default FLOTILLA_URL)")
        String url;

        @Option(
                names = "--enroll-token",
                defaultValue = "${env:FLOTILLA_ENROLL_TOKEN}",
                description = "enrollment token for hosts without an identity yet (default FLOTILLA_ENROLL_TOKEN)")
        String enrollToken;

        @Option(
                names = "--identities",
                defaultValue = ".flotilla/swarm",
                description = "folder of the hosts' credentials (default ${DEFAULT-VALUE})")
        Path identities;

        @Option(names = "--prefix", defaultValue = "swarm", description = "hostname prefix (default ${DEFAULT-VALUE})")
        String prefix;

        @Option(
                names = "--units",
                defaultValue = "50",
                description = "simulated units per host (default ${DEFAULT-VALUE})")
        int units;

        @Option(
                names = "--containers",
                defaultValue = "0",
                description = "simulated containers per host (default ${DEFAULT-VALUE})")
        int containers;

        @Option(
                names = "--transitions-per-minute",
                defaultValue = "1",
                description = "unit transitions per host per minute (default ${DEFAULT-VALUE})")
        double perMinute;

        @Option(
                names = "--start-delay",
                defaultValue = "500",
                description =
                        "milliseconds before a unit the service sends is reported active (default ${DEFAULT-VALUE})")
        long startDelay;

        @Override
        public Integer call() throws Exception {
            if (url == null || url.isBlank()) {
                System.err.println("flotilla swarm: no service: set FLOTILLA_URL or --url");
                return 2;
            }
            if (agents < 1 || units < 0 || containers < 0 || perMinute < 0) {
                System.err.println("flotilla swarm: --agents must be at least 1; counts and rates not negative");
                return 2;
            }
            Swarm swarm = new Swarm(new Swarm.Settings(
                    URI.create(url.replaceAll("/+$", "")),
                    enrollToken == null || enrollToken.isBlank() ? null : enrollToken,
                    identities,
                    prefix,
                    agents,
                    units,
                    containers,
                    startDelay,
                    2));
            AtomicBoolean running = new AtomicBoolean(true);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                running.set(false);
                swarm.close();
            }));
            int enrolled = swarm.enroll(32, done -> {
                if (done % 500 == 0 || done == agents) {
                    System.out.printf("identities: %d/%d%n", done, agents);
                }
            });
            System.out.printf("%d hosts enrolled now, %d reused their identity%n", enrolled, agents - enrolled);
            swarm.connectAll();
            Thread status = new Thread(() -> {
                long lastSent = 0;
                while (running.get()) {
                    try {
                        Thread.sleep(5000);
                    } catch (InterruptedException e) {
                        return;
                    }
                    long sent = swarm.stats.sent.sum();
                    var h = swarm.stats.ackLatency.getIntervalHistogram();
                    System.out.printf(
                            "online %d/%d  transitions %d (%.1f/s)  acked %d  ack p99 %.1f ms  refused %d%n",
                            swarm.stats.online.get(),
                            agents,
                            sent,
                            (sent - lastSent) / 5.0,
                            swarm.stats.acked.sum(),
                            h.getValueAtPercentile(99) / 1000.0,
                            swarm.stats.refused.get());
                    lastSent = sent;
                }
            });
            status.setDaemon(true);
            status.start();
            swarm.drive(agents * perMinute / 60.0, running::get, o -> {});
            return 0;
        }
    }
}
