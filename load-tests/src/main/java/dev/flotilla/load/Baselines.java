package dev.flotilla.load;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Lease;
import io.etcd.jetcd.options.PutOption;

/**
 * What the hardware allows, measured in the same run as the service: (a) pgbench running the very
 * statements the service issues for a batch of reported transitions, in one transaction as the
 * service commits them; (b) a real etcd 3.4 written to as CoreOS fleet's agents wrote their unit states.
 */
final class Baselines {
    private Baselines() {}

    /** A measured write rate and its latency. */
    record Result(String name, double perSecond, double meanMillis, double p99Millis, String detail) {}

    /**
     * Draws {@code %1$d} transitions of the swarm's machines ({@code md5(prefix-index)}, so every
     * row is a real machine's) and units, distinct as the service's rows of one statement are, in
     * the service's lock order (machine, then unit), as the array parameters the service binds
     * ({@code \gset} keeps each column in a variable). The only statement the service does not
     * issue: it builds its arrays in Java.
     */
    static final String DRAW = """
            with d as (
                select md5(:prefix::text || '-' || h::text) as machine, 'sim-' || lpad(u::text, 2, '0') || '.service' as name, (1000000000 + floor(random() * 899000000000))::bigint as seq
                from (select distinct floor(random() * :hosts)::int as h, floor(random() * 50)::int as u from generate_series(1, 2 * %1$d)) x
                order by random() limit %1$d)
            select now()::text as received, array_agg(:org::text order by machine, name) as orgs, array_agg(machine order by machine, name) as machines, array_agg(name order by machine, name) as names, array_agg(seq order by machine, name) as seqs, array_fill(now(), array[count(*)::int]) as times, array_fill('loaded'::text, array[count(*)::int]) as loads, array_fill('active'::text, array[count(*)::int]) as actives, array_fill('running'::text, array[count(*)::int]) as subs, array_fill('simulated unit'::text, array[count(*)::int]) as descriptions, array_fill(null::text, array[count(*)::int]) as hashes, array_fill(false, array[count(*)::int]) as flags, array_fill(0::bigint, array[count(*)::int]) as zeros from d
            \\gset
            """;

    /**
     * The service's statements for a round of unit transitions (StateStatements.INSERT_UNIT_EVENTS
     * and UPSERT_UNITS in fleet-service, word for word but for the parameters' names; keep them in
     * step): one multi-row insert of history rows and one multi-row upsert of the current state
     * guarded by the sequence number.
     */
    static final String STATEMENTS = """
            insert into unit_event (org_id, machine_id, seq, observed_at, received_at, name, load_state, active_state, sub_state, removed, dropped) select e.org_id, e.machine_id, e.seq, e.observed_at, :received::timestamptz, e.name, e.load_state, e.active_state, e.sub_state, e.removed, e.dropped from unnest(:orgs::uuid[], :machines::text[], :seqs::bigint[], :times::timestamptz[], :names::text[], :loads::text[], :actives::text[], :subs::text[], :flags::boolean[], :zeros::bigint[]) as e (org_id, machine_id, seq, observed_at, name, load_state, active_state, sub_state, removed, dropped) on conflict do nothing;
            insert into machine_unit (org_id, machine_id, name, load_state, active_state, sub_state, description, hash, managed, changed_at, observed_at, seq) select * from unnest(:orgs::uuid[], :machines::text[], :names::text[], :loads::text[], :actives::text[], :subs::text[], :descriptions::text[], :hashes::text[], :flags::boolean[], :times::timestamptz[], :times::timestamptz[], :seqs::bigint[]) on conflict (org_id, machine_id, name) do update set load_state = excluded.load_state, active_state = excluded.active_state, sub_state = excluded.sub_state, description = excluded.description, hash = excluded.hash, managed = excluded.managed, changed_at = excluded.changed_at, observed_at = excluded.observed_at, seq = excluded.seq where machine_unit.seq <= excluded.seq;
            """;

    /** One pgbench transaction: {@code batch} transitions in one commit, as the service's writer groups them. */
    static String script(int batch) {
        return DRAW.formatted(batch) + "BEGIN;\n" + STATEMENTS + "COMMIT;\n";
    }

    static Result pgbench(
            Database db, Path work, String orgId, String prefix, int hosts, int batch, int clients, int seconds)
            throws IOException, InterruptedException {
        Path script = work.resolve("transition.pgbench.sql");
        Files.writeString(script, script(batch), StandardCharsets.UTF_8);
        var server = db.server();
        List<String> command = List.of(
                "pgbench",
                "-n",
                "-M",
                "prepared",
                "-c",
                String.valueOf(clients),
                "-j",
                "2",
                "-T",
                String.valueOf(seconds),
                "-D",
                "org=" + orgId,
                "-D",
                "prefix=" + prefix,
                "-D",
                "hosts=" + hosts,
                "-f",
                script.toString(),
                "-h",
                server.getHost(),
                "-p",
                String.valueOf(server.getPort() < 0 ? 5432 : server.getPort()),
                "-U",
                db.user(),
                db.name());
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("PGPASSWORD", db.password());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(seconds + 60L, TimeUnit.SECONDS);
        Files.writeString(work.resolve("pgbench.log"), String.join(" ", command) + "\n" + out);
        Matcher tps = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)")
                .matcher(out);
        Matcher lat = Pattern.compile("latency average = ([0-9.]+) ms").matcher(out);
        if (p.exitValue() != 0 || !tps.find()) {
            throw new IllegalStateException("pgbench failed (exit " + p.exitValue() + "):\n" + out);
        }
        double mean = lat.find() ? Double.parseDouble(lat.group(1)) : Double.NaN;
        return new Result(
                "pgbench: the service's statements for " + batch
                        + " transitions per transaction as the service batched (one multi-row insert and upsert each)",
                Double.parseDouble(tps.group(1)) * batch,
                mean,
                Double.NaN,
                clients + " clients, " + seconds + " s, prepared statements");
    }

    /**
     * fleet kept each unit's state under {@code /_coreos.com/fleet/states/<unit>/<machine>} with a
     * TTL its agent refreshed (etcd v2); in etcd v3 terms, a key under a lease per machine. One
     * lease per simulated host, kept alive, and puts of JSON unit states (fleet's unitStateModel)
     * with {@code inFlight} outstanding for {@code seconds}.
     */
    static Result etcd(Path work, int hosts, int inFlight, int seconds) throws Exception {
        Path dataDir = work.resolve("etcd-data");
        int clientPort = freePort();
        int peerPort = freePort();
        String endpoint = "http://127.0.0.1:" + clientPort;
        Process etcd = new ProcessBuilder(
                        etcdBinary(),
                        "--name",
                        "bench",
                        "--data-dir",
                        dataDir.toString(),
                        "--listen-client-urls",
                        endpoint,
                        "--advertise-client-urls",
                        endpoint,
                        "--listen-peer-urls",
                        "http://127.0.0.1:" + peerPort,
                        "--initial-advertise-peer-urls",
                        "http://127.0.0.1:" + peerPort,
                        "--initial-cluster",
                        "bench=http://127.0.0.1:" + peerPort)
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("etcd.log").toFile())
                .start();
        try (Client client = Client.builder().endpoints(endpoint).build()) {
            KV kv = client.getKVClient();
            Lease lease = client.getLeaseClient();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try {
                    kv.put(bytes("/_coreos.com/fleet/version"), bytes("1")).get(2, TimeUnit.SECONDS);
                    break;
                } catch (Exception e) {
                    if (!etcd.isAlive() || System.nanoTime() > deadline) {
                        throw new IllegalStateException("etcd did not start; see " + work.resolve("etcd.log"), e);
                    }
                    Thread.sleep(200);
                }
            }
            long[] leases = new long[hosts];
            Semaphore grants = new Semaphore(inFlight);
            for (int i = 0; i < hosts; i++) {
                int index = i;
                grants.acquire();
                lease.grant(30).whenComplete((r, e) -> {
                    if (r != null) {
                        leases[index] = r.getID();
                    }
                    grants.release();
                });
            }
            grants.acquire(inFlight);
            grants.release(inFlight);
            Recorder recorder = new Recorder(3_600_000_000L, 3);
            AtomicLong done = new AtomicLong();
            AtomicLong failed = new AtomicLong();
            Semaphore window = new Semaphore(inFlight);
            long start = System.nanoTime();
            long end = start + TimeUnit.SECONDS.toNanos(seconds);
            long nextKeepAlive = start;
            int keepAliveIndex = 0;
            ThreadLocalRandom random = ThreadLocalRandom.current();
            while (System.nanoTime() < end) {
                // Keep every lease alive once per 10 s, spread evenly, as fleet's agents refreshed TTLs.
                long now = System.nanoTime();
                while (now - nextKeepAlive > 0 && hosts > 0) {
                    lease.keepAliveOnce(leases[keepAliveIndex]);
                    keepAliveIndex = (keepAliveIndex + 1) % hosts;
                    nextKeepAlive += TimeUnit.SECONDS.toNanos(10) / hosts;
                }
                int m = random.nextInt(hosts);
                int u = random.nextInt(50);
                String machine = SimulatedHost.machineId(Bench.PREFIX, m);
                String unit = String.format("sim-%02d.service", u);
                String value = "{\"loadState\":\"loaded\",\"activeState\":\""
                        + (random.nextBoolean() ? "active" : "inactive")
                        + "\",\"subState\":\"running\",\"machineState\":{\"ID\":\"" + machine
                        + "\"},\"unitHash\":\"\"}";
                window.acquire();
                long t0 = System.nanoTime();
                kv.put(
                                bytes("/_coreos.com/fleet/states/" + unit + "/" + machine),
                                bytes(value),
                                PutOption.builder().withLeaseId(leases[m]).build())
                        .whenComplete((r, e) -> {
                            recorder.recordValue((System.nanoTime() - t0) / 1000);
                            if (e == null) {
                                done.incrementAndGet();
                            } else {
                                failed.incrementAndGet();
                            }
                            window.release();
                        });
            }
            window.acquire(inFlight);
            double elapsed = (System.nanoTime() - start) / 1e9;
            Histogram h = recorder.getIntervalHistogram();
            return new Result(
                    "etcd 3.4: fleet's unit-state keys under a lease per machine",
                    done.get() / elapsed,
                    h.getMean() / 1000.0,
                    h.getValueAtPercentile(99) / 1000.0,
                    inFlight + " puts in flight, " + hosts + " leases kept alive, " + seconds + " s, " + failed.get()
                            + " failed");
        } finally {
            etcd.destroy();
            if (!etcd.waitFor(10, TimeUnit.SECONDS)) {
                etcd.destroyForcibly();
            }
        }
    }

    private static String etcdBinary() {
        for (String candidate : new String[] {"/usr/bin/etcd", "/usr/local/bin/etcd"}) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        throw new IllegalStateException("etcd is not installed (apt-get install etcd-server)");
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
