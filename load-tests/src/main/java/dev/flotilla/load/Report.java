package dev.flotilla.load;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.HdrHistogram.Histogram;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/** The benchmark's results: every figure in results.json, a Markdown summary, PNG charts (JFreeChart). */
final class Report {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final Path dir;
    private final int agents;
    private final boolean quick;
    private final Map<String, Map<String, Object>> figures = new LinkedHashMap<>();
    private final List<Baselines.Result> baselines = new ArrayList<>();
    private List<Sampler.Row> rows = List.of();

    Report(Path dir, int agents, boolean quick) {
        this.dir = dir;
        this.agents = agents;
        this.quick = quick;
        put("machine", "cpus", Runtime.getRuntime().availableProcessors());
        put("machine", "cpuModel", cpuModel());
        put("machine", "memoryGiB", memoryGiB());
        put("machine", "java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        put("run", "agents", agents);
        put("run", "quick", quick);
    }

    synchronized void put(String section, String key, Object value) {
        figures.computeIfAbsent(section, k -> new LinkedHashMap<>()).put(key, value);
    }

    synchronized void baseline(Baselines.Result r) {
        baselines.add(r);
        Bench.log(String.format("%s: %.0f/s (mean %.2f ms)", r.name(), r.perSecond(), r.meanMillis()));
    }

    synchronized void series(List<Sampler.Row> rows) {
        this.rows = rows;
    }

    /** Latency percentiles of every phase: ack (observed to stored) and api (observed to shown by the REST API). */
    synchronized void histograms(Map<String, Histogram> ack, Map<String, Histogram> api) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String phase : ack.keySet()) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("ack", percentiles(ack.get(phase)));
            if (api.containsKey(phase) && api.get(phase).getTotalCount() > 0) {
                p.put("api", percentiles(api.get(phase)));
            }
            out.put(phase, p);
        }
        figures.put("latencyMillis", out);
    }

    private static Map<String, Object> percentiles(Histogram h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", h.getTotalCount());
        m.put("p50", h.getValueAtPercentile(50) / 1000.0);
        m.put("p95", h.getValueAtPercentile(95) / 1000.0);
        m.put("p99", h.getValueAtPercentile(99) / 1000.0);
        m.put("max", h.getMaxValue() / 1000.0);
        return m;
    }

    synchronized void write() throws IOException {
        Map<String, Object> all = new LinkedHashMap<>(figures);
        all.put("baselines", baselines);
        all.put("series", rows);
        JSON.writeValue(dir.resolve("results.json").toFile(), all);
        charts();
        Files.writeString(dir.resolve("summary.md"), summary(), StandardCharsets.UTF_8);
    }

    private Object fig(String section, String key) {
        Map<String, Object> s = figures.get(section);
        return s == null ? null : s.get(key);
    }

    @SuppressWarnings("unchecked")
    private Double latency(String phase, String kind, String pct) {
        Map<String, Object> l = (Map<String, Object>) figures.getOrDefault("latencyMillis", Map.of());
        Map<String, Object> p = (Map<String, Object>) l.get(phase);
        if (p == null || !p.containsKey(kind)) {
            return null;
        }
        return ((Number) ((Map<String, Object>) p.get(kind)).get(pct)).doubleValue();
    }

    private String summary() {
        StringBuilder md = new StringBuilder();
        md.append("# Flotilla benchmark").append(quick ? " (quick)" : "").append("\n\n");
        md.append(String.format(
                "%d simulated agents; machine: %s CPUs (%s), %s GiB; %s. Service, PostgreSQL and swarm on the same machine.%n%n",
                agents,
                fig("machine", "cpus"),
                fig("machine", "cpuModel"),
                fig("machine", "memoryGiB"),
                fig("machine", "java")));
        if (fig("service", "cpus") != null) {
            md.append("The service ran on CPU(s) ")
                    .append(fig("service", "cpus"))
                    .append(" only (taskset); PostgreSQL and the swarm on all.\n\n");
        }
        md.append("| scenario | figure | value | target (10,000 agents) |\n|---|---|---|---|\n");
        row(md, "connect storm", "all online after", secs(fig("connectStorm", "secondsUntilAllOnline")), "");
        row(md, "connect storm", "enrollments per second", num(fig("enroll", "perSecond")), "");
        row(
                md,
                "steady state",
                "transitions per second",
                num(fig("steadyState", "offeredPerSecond")),
                "≈167 (1/min/host)");
        row(
                md,
                "steady state",
                "observe → API p50 / p95 / p99 / max",
                ms(latency("steady-state", "api", "p50")) + " / " + ms(latency("steady-state", "api", "p95")) + " / "
                        + ms(latency("steady-state", "api", "p99")) + " / " + ms(latency("steady-state", "api", "max")),
                "p99 < 1 s");
        row(
                md,
                "steady state",
                "observe → stored (ack) p50 / p99",
                ms(latency("steady-state", "ack", "p50")) + " / " + ms(latency("steady-state", "ack", "p99")),
                "");
        row(
                md,
                "steady state",
                "service CPU (% of one core)",
                num(fig("steadyState", "serviceCpuPercentOfOneCore")),
                "");
        row(md, "steady state", "service RSS, max of the run", mb(maxOf(Sampler.Row::serviceRssMb)), "< 1 GB");
        row(md, "steady state", "service heap used, max", mb(maxOf(Sampler.Row::serviceHeapMb)), "");
        row(md, "steady state", "database growth", mb(bytesToMb(fig("steadyState", "databaseGrowthBytes"))), "");
        row(
                md,
                "fan-out",
                "all agents hold the global unit after",
                ms(fig("fanOut", "millisUntilAllHoldDesiredState")),
                "< 5 s");
        row(md, "fan-out", "placements per second", num(fig("fanOut", "placementsPerSecond")), "");
        row(
                md,
                "fan-out",
                "API shows all active after (agents wait 500 ms)",
                ms(fig("fanOut", "millisUntilApiShowsAllActive")),
                "");
        row(md, "ingest ceiling", "highest rate with p99 ≤ 1 s", num(fig("ingestCeiling", "perSecond")) + "/s", "");
        row(
                md,
                "reconnect storm",
                "all back after the kill",
                secs(fig("reconnectStorm", "secondsFromKillUntilAllBack")),
                "< 60 s");
        row(
                md,
                "reconnect storm",
                "all back after the service was ready",
                secs(fig("reconnectStorm", "secondsFromReadyUntilAllBack")),
                "");
        row(
                md,
                "whole run",
                "transitions observed / stored",
                fig("nothingLost", "transitionsObserved") + " / " + fig("nothingLost", "transitionsStored"),
                "equal");
        row(
                md,
                "whole run",
                "unit states differing from the hosts'",
                String.valueOf(fig("nothingLost", "unitStatesDiffering")),
                "0");
        md.append(
                "\n## Ingest ceiling against the baselines\n\n| system | writes per second | mean latency | ours as a ratio |\n|---|---|---|---|\n");
        Object ceiling = fig("ingestCeiling", "perSecond");
        md.append(String.format("| Flotilla (stepped, p99 ≤ 1 s) | %s | | 1 |%n", num(ceiling)));
        for (Baselines.Result b : baselines) {
            double ratio = ceiling instanceof Number c ? c.doubleValue() / b.perSecond() : Double.NaN;
            md.append(String.format(
                    "| %s (%s) | %.0f | %.2f ms | %.2f |%n",
                    b.name(), b.detail(), b.perSecond(), b.meanMillis(), ratio));
        }
        md.append("\nTargets: at least half of pgbench's rate, and above etcd's.\n");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> steps = (List<Map<String, Object>>) fig("ingestCeiling", "steps");
        if (steps != null) {
            md.append(
                    "\n| offered/s | stored/s | p50 | p99 | held | frames per transaction | CPU % service / PostgreSQL / swarm |"
                            + "\n|---|---|---|---|---|---|---|\n");
            for (Map<String, Object> s : steps) {
                md.append(String.format(
                        "| %s | %s | %s | %s | %s | %s | %s |%n",
                        num(s.get("offeredPerSecond")),
                        num(s.get("achievedPerSecond")),
                        ms(s.get("p50Millis")),
                        ms(s.get("p99Millis")),
                        s.get("held"),
                        s.get("framesPerTransaction") instanceof Number b
                                ? String.format("%.1f", b.doubleValue())
                                : "–",
                        s.get("cpuPercentServicePostgresSwarm") instanceof List<?> c
                                ? c.get(0) + " / " + c.get(1) + " / " + c.get(2)
                                : "–"));
            }
        }
        @SuppressWarnings("unchecked")
        List<String> failures = (List<String>) fig("run", "failures");
        md.append("\n")
                .append(
                        failures == null || failures.isEmpty()
                                ? "Every scenario completed; nothing was lost.\n"
                                : "FAILED:\n"
                                        + String.join(
                                                "\n",
                                                failures.stream()
                                                        .map(f -> "- " + f)
                                                        .toList()) + "\n");
        md.append(
                "\nCharts: latency.png, throughput.png, cpu.png, service.png, ingest-ceiling.png. Every figure: results.json.\n");
        return md.toString();
    }

    private static void row(StringBuilder md, String scenario, String figure, String value, String target) {
        md.append("| ")
                .append(scenario)
                .append(" | ")
                .append(figure)
                .append(" | ")
                .append(value)
                .append(" | ")
                .append(target)
                .append(" |\n");
    }

    private Double maxOf(Function<Sampler.Row, Double> f) {
        return rows.stream()
                .map(f)
                .filter(v -> v != null && !v.isNaN())
                .max(Double::compare)
                .orElse(null);
    }

    private static Double bytesToMb(Object b) {
        return b instanceof Number n ? n.doubleValue() / 1048576.0 : null;
    }

    private static String num(Object v) {
        return v instanceof Number n ? String.format("%.0f", n.doubleValue()) : "–";
    }

    private static String ms(Object v) {
        if (!(v instanceof Number n) || Double.isNaN(n.doubleValue())) {
            return "–";
        }
        double d = n.doubleValue();
        return d >= 1000 ? String.format("%.2f s", d / 1000) : String.format("%.0f ms", d);
    }

    private static String secs(Object v) {
        return v instanceof Number n ? String.format("%.1f s", n.doubleValue()) : "–";
    }

    private static String mb(Double v) {
        return v == null ? "–" : String.format("%.0f MB", v);
    }

    private void charts() throws IOException {
        chart(
                "latency.png",
                "Latency per second (ms, log scale)",
                "ms",
                true,
                Map.of(
                        "observe → stored p50", Sampler.Row::ackP50Millis,
                        "observe → stored p99", Sampler.Row::ackP99Millis,
                        "observe → API p50", Sampler.Row::apiP50Millis,
                        "observe → API p99", Sampler.Row::apiP99Millis));
        chart(
                "throughput.png",
                "Transitions per second",
                "per second",
                false,
                Map.of(
                        "observed and sent", Sampler.Row::sentPerSecond,
                        "stored and acknowledged", Sampler.Row::ackedPerSecond,
                        "agents online", r -> (double) r.online()));
        chart(
                "service.png",
                "Service memory",
                "MB",
                false,
                Map.of(
                        "service RSS (MB)", Sampler.Row::serviceRssMb,
                        "service heap used (MB)", Sampler.Row::serviceHeapMb));
        chart(
                "cpu.png",
                "CPU by process (% of one core; " + fig("machine", "cpus") + " cores in all)",
                "% of one core",
                false,
                Map.of(
                        "service", Sampler.Row::serviceCpuPercent,
                        "PostgreSQL", Sampler.Row::postgresCpuPercent,
                        "swarm (simulated agents)", Sampler.Row::swarmCpuPercent));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> steps = (List<Map<String, Object>>) fig("ingestCeiling", "steps");
        if (steps != null && !steps.isEmpty()) {
            XYSeries p99 = new XYSeries("p99 observe → stored (ms)");
            XYSeries achieved = new XYSeries("stored per second");
            for (Map<String, Object> s : steps) {
                double offered = ((Number) s.get("offeredPerSecond")).doubleValue();
                p99.add(offered, Math.max(0.01, ((Number) s.get("p99Millis")).doubleValue()));
                achieved.add(offered, ((Number) s.get("achievedPerSecond")).doubleValue());
            }
            XYSeriesCollection data = new XYSeriesCollection();
            data.addSeries(p99);
            data.addSeries(achieved);
            JFreeChart chart = ChartFactory.createXYLineChart(
                    "Ingest ceiling: offered rate against p99 and stored rate",
                    "offered transitions per second",
                    "ms  /  per second",
                    data,
                    PlotOrientation.VERTICAL,
                    true,
                    false,
                    false);
            style(chart);
            ChartUtils.saveChartAsPNG(dir.resolve("ingest-ceiling.png").toFile(), chart, 1000, 500);
        }
    }

    private void chart(
            String file, String title, String yLabel, boolean log, Map<String, Function<Sampler.Row, Double>> lines)
            throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Map.Entry<String, Function<Sampler.Row, Double>> e : new java.util.TreeMap<>(lines).entrySet()) {
            XYSeries s = new XYSeries(e.getKey());
            for (Sampler.Row r : rows) {
                Double v = e.getValue().apply(r);
                if (v != null && !v.isNaN() && (!log || v > 0)) {
                    s.add(r.t(), v);
                }
            }
            data.addSeries(s);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(
                title + phasesNote(),
                "seconds since start",
                yLabel,
                data,
                PlotOrientation.VERTICAL,
                true,
                false,
                false);
        if (log) {
            LogarithmicAxis axis = new LogarithmicAxis(yLabel);
            axis.setAllowNegativesFlag(false);
            chart.getXYPlot().setRangeAxis(axis);
        }
        style(chart);
        ChartUtils.saveChartAsPNG(dir.resolve(file).toFile(), chart, 1200, 500);
    }

    /** The phases in order with the second each began, for the chart's title. */
    private String phasesNote() {
        StringBuilder s = new StringBuilder();
        String last = null;
        for (Sampler.Row r : rows) {
            if (!r.phase().equals(last)) {
                s.append(s.isEmpty() ? "\n" : ", ")
                        .append(r.phase())
                        .append(" @")
                        .append(Math.round(r.t()))
                        .append("s");
                last = r.phase();
            }
        }
        return s.toString();
    }

    private static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e), new Color(0x9467bd)
    };

    private static void style(JFreeChart chart) {
        XYPlot plot = chart.getXYPlot();
        for (int i = 0; i < plot.getSeriesCount(); i++) {
            plot.getRenderer().setSeriesPaint(i, PALETTE[i % PALETTE.length]);
        }
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        for (int i = 0; i < plot.getSeriesCount(); i++) {
            plot.getRenderer().setSeriesStroke(i, new BasicStroke(1.6f));
        }
        chart.getTitle().setFont(chart.getTitle().getFont().deriveFont(14f));
    }

    static Map<String, String> envFile(Path file) throws IOException {
        Map<String, String> out = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.startsWith("#")) {
                out.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        return out;
    }

    static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst()
                    .orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    static String memoryGiB() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream()
                    .filter(l -> l.startsWith("MemTotal"))
                    .map(l -> String.format("%.0f", Long.parseLong(l.replaceAll("[^0-9]", "")) / 1048576.0))
                    .findFirst()
                    .orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }
}
