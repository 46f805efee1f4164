package dev.flotilla.load;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * {@code ./flotilla bench --curve 1000,5000,10000}: the standard scenarios at each size, each on a
 * fresh database and a fresh service, one after the other in this process; then one report of
 * every figure against the number of agents, with a straight line fitted to each (its slope is
 * what one more agent costs, its intercept the fixed base). A size this machine cannot hold is
 * not run, and the report says why.
 */
final class Curve {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** Open files the service and the swarm need besides one per agent (pools, jars, logs, clients). */
    static final int FILES_BESIDES_AGENTS = 1500;

    private final Bench template;

    Curve(Bench template) {
        this.template = template;
    }

    /** One figure of the curve: its name in the report, its unit, how it is read from a size's results. */
    record Figure(String key, String label, String unit, Function<JsonNode, Double> read) {}

    static final List<Figure> FIGURES = List.of(
            new Figure(
                    "serviceRssMb",
                    "service RSS, end of steady state",
                    "MB",
                    r -> mb(r.path("steadyState").path("serviceRssBytesAtEnd"))),
            new Figure(
                    "serviceHeapAfterGcMb",
                    "service heap after a full GC",
                    "MB",
                    r -> mb(r.path("steadyState").path("serviceHeapAfterGcBytes"))),
            new Figure(
                    "serviceCpuPercent",
                    "service CPU, steady state",
                    "% of one core",
                    r -> num(r.path("steadyState").path("serviceCpuPercentOfOneCore"))),
            new Figure(
                    "databaseMb",
                    "database size",
                    "MB",
                    r -> mb(r.path("steadyState").path("databaseBytes"))),
            new Figure(
                    "databaseRows",
                    "database rows",
                    "rows",
                    r -> num(r.path("steadyState").path("databaseRows"))),
            new Figure(
                    "connectStormSeconds",
                    "connect storm, all online after",
                    "s",
                    r -> num(r.path("connectStorm").path("secondsUntilAllOnline"))),
            new Figure(
                    "enrollPerSecond",
                    "enrollments per second",
                    "/s",
                    r -> num(r.path("enroll").path("perSecond"))),
            new Figure(
                    "apiP99Millis",
                    "steady observe → API p99",
                    "ms",
                    r -> num(r.path("latencyMillis")
                            .path("steady-state")
                            .path("api")
                            .path("p99"))),
            new Figure(
                    "ackP99Millis",
                    "steady observe → stored p99",
                    "ms",
                    r -> num(r.path("latencyMillis")
                            .path("steady-state")
                            .path("ack")
                            .path("p99"))),
            new Figure(
                    "fanOutMillis",
                    "fan-out, all hold the global unit",
                    "ms",
                    r -> num(r.path("fanOut").path("millisUntilAllHoldDesiredState"))),
            new Figure(
                    "reconnectSeconds",
                    "reconnect storm, all back after the kill",
                    "s",
                    r -> num(r.path("reconnectStorm").path("secondsFromKillUntilAllBack"))),
            new Figure(
                    "swarmRssMb",
                    "swarm RSS (this process)",
                    "MB",
                    r -> mb(r.path("steadyState").path("swarmRssBytes"))),
            new Figure(
                    "swarmCpuPercent",
                    "swarm CPU, steady state",
                    "% of one core",
                    r -> num(r.path("steadyState").path("swarmCpuPercentOfOneCore"))));

    int run() throws Exception {
        List<Integer> sizes = new ArrayList<>(new TreeSet<>(template.curve));
        if (sizes.isEmpty() || sizes.get(0) < 1) {
            System.err.println("flotilla bench: --curve takes numbers of agents, at least 1 each: --curve 1000,5000");
            return 2;
        }
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path dir = template.out != null ? template.out : Path.of("load-tests", "results", stamp + "-curve");
        Files.createDirectories(dir);
        long files = Cpu.openFilesLimit();
        Bench.log("scale curve at " + sizes + " agents; results in " + dir + "; open files allowed per process: "
                + files);
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cpus", Runtime.getRuntime().availableProcessors());
        machine.put("cpuModel", Report.cpuModel());
        machine.put("memoryGiB", Report.memoryGiB());
        machine.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        machine.put("openFilesPerProcess", files);
        out.put("machine", machine);
        out.put("serviceJvmOptions", template.serviceJvmOptions);
        List<Map<String, Object>> points = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (int n : sizes) {
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("agents", n);
            points.add(point);
            if (files >= 0 && n + FILES_BESIDES_AGENTS > files) {
                String why = "not run: " + n + " agents need about " + (n + FILES_BESIDES_AGENTS)
                        + " open files in the service and in the swarm, and this machine lets a process have " + files
                        + " (ulimit -Hn; raising it needs CAP_SYS_RESOURCE)";
                Bench.log(why);
                point.put("skipped", why);
                continue;
            }
            Path sizeDir = dir.resolve(n + "-agents");
            Bench b = template.forSize(n, sizeDir);
            long t0 = System.nanoTime();
            int rc = b.call();
            point.put("seconds", (System.nanoTime() - t0) / 1e9);
            point.put("exit", rc);
            if (rc != 0) {
                failed.add(n + " agents: exit " + rc + " (see " + sizeDir.resolve("summary.md") + ")");
            }
            JsonNode results = JSON.readTree(sizeDir.resolve("results.json").toFile());
            for (Figure f : FIGURES) {
                point.put(f.key(), f.read().apply(results));
            }
            point.put("failures", results.path("run").path("failures"));
        }
        out.put("points", points);
        Map<String, Object> fits = new LinkedHashMap<>();
        for (Figure f : FIGURES) {
            Fit fit = Fit.of(points, f.key());
            if (fit != null) {
                fits.put(f.key(), fit);
            }
        }
        out.put("fits", fits);
        out.put("failures", failed);
        JSON.writeValue(dir.resolve("curve.json").toFile(), out);
        charts(dir, points);
        Files.writeString(dir.resolve("curve.md"), markdown(machine, points, fits, failed), StandardCharsets.UTF_8);
        System.out.println(Files.readString(dir.resolve("curve.md")));
        failed.forEach(f -> System.err.println("FAILED: " + f));
        return failed.isEmpty() ? 0 : 1;
    }

    /** A least-squares line through the sizes that have the figure: per-agent slope, base, and how well it fits. */
    record Fit(double perAgent, double base, double r2, int points) {
        static Fit of(List<Map<String, Object>> points, String key) {
            List<double[]> xy = new ArrayList<>();
            for (Map<String, Object> p : points) {
                if (p.get(key) instanceof Double y && !y.isNaN()) {
                    xy.add(new double[] {((Integer) p.get("agents")).doubleValue(), y});
                }
            }
            if (xy.size() < 2) {
                return null;
            }
            double n = xy.size();
            double sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0;
            for (double[] v : xy) {
                sx += v[0];
                sy += v[1];
                sxx += v[0] * v[0];
                sxy += v[0] * v[1];
                syy += v[1] * v[1];
            }
            double den = n * sxx - sx * sx;
            if (den == 0) {
                return null;
            }
            double slope = (n * sxy - sx * sy) / den;
            double base = (sy - slope * sx) / n;
            double ssTot = syy - sy * sy / n;
            double ssRes = 0;
            for (double[] v : xy) {
                double e = v[1] - (base + slope * v[0]);
                ssRes += e * e;
            }
            return new Fit(slope, base, ssTot == 0 ? 1 : 1 - ssRes / ssTot, xy.size());
        }

        double at(double agents) {
            return base + perAgent * agents;
        }
    }

    private static String markdown(
            Map<String, Object> machine,
            List<Map<String, Object>> points,
            Map<String, Object> fits,
            List<String> failed) {
        StringBuilder md = new StringBuilder("# Flotilla scale curve\n\n");
        md.append(String.format(
                "Machine: %s CPUs (%s), %s GiB, %s; %s open files per process. Service, PostgreSQL and the swarm on"
                        + " this one machine; each size on a fresh database and service.%n%n",
                machine.get("cpus"),
                machine.get("cpuModel"),
                machine.get("memoryGiB"),
                machine.get("java"),
                machine.get("openFilesPerProcess")));
        md.append("| figure |");
        StringBuilder rule = new StringBuilder("|---|");
        for (Map<String, Object> p : points) {
            md.append(String.format(" %,d agents |", (Integer) p.get("agents")));
            rule.append("---|");
        }
        md.append(" per 1,000 more agents | base | fit r² |\n").append(rule).append("---|---|---|\n");
        for (Figure f : FIGURES) {
            md.append("| ").append(f.label()).append(" (").append(f.unit()).append(") |");
            for (Map<String, Object> p : points) {
                Object v = p.get(f.key());
                md.append(' ')
                        .append(p.containsKey("skipped") ? "not run" : v instanceof Double d ? fmt(d) : "–")
                        .append(" |");
            }
            Fit fit = (Fit) fits.get(f.key());
            md.append(
                    fit == null
                            ? " | | |\n"
                            : String.format(
                                    " %s | %s | %.2f |%n", fmt(fit.perAgent() * 1000), fmt(fit.base()), fit.r2()));
        }
        md.append('\n');
        for (Map<String, Object> p : points) {
            if (p.containsKey("skipped")) {
                md.append(String.format("- %,d agents: %s.%n", (Integer) p.get("agents"), p.get("skipped")));
            }
        }
        Fit rss = (Fit) fits.get("serviceRssMb");
        Fit heap = (Fit) fits.get("serviceHeapAfterGcMb");
        if (rss != null && heap != null) {
            md.append(String.format(
                    "%nOne more agent costs the service about %.1f KB of resident memory (%.1f KB of heap after a"
                            + " full GC) on a base of %.0f MB; the line puts 50,000 agents at %.0f MB RSS.%n",
                    rss.perAgent() * 1024, heap.perAgent() * 1024, rss.base(), rss.at(50_000)));
        }
        Fit cpu = (Fit) fits.get("serviceCpuPercent");
        if (cpu != null) {
            md.append(String.format(
                    "In the steady state (one transition per host a minute, heartbeats at the default), 1,000 agents"
                            + " cost the service %.2f%% of one core.%n",
                    cpu.perAgent() * 1000));
        }
        md.append("\nCharts: curve-memory.png, curve-cpu.png, curve-storms.png, curve-latency.png,"
                + " curve-database.png. Every figure: curve.json; each size's full report: <N>-agents/summary.md.\n");
        if (!failed.isEmpty()) {
            md.append("\nFailed:\n");
            failed.forEach(f -> md.append("- ").append(f).append('\n'));
        }
        return md.toString();
    }

    private static void charts(Path dir, List<Map<String, Object>> points) throws IOException {
        chart(
                dir,
                "curve-memory.png",
                "Memory against agents",
                "MB",
                points,
                "serviceRssMb",
                "serviceHeapAfterGcMb",
                "swarmRssMb");
        chart(
                dir,
                "curve-cpu.png",
                "Steady-state CPU against agents",
                "% of one core",
                points,
                "serviceCpuPercent",
                "swarmCpuPercent");
        chart(dir, "curve-storms.png", "Storms against agents", "s", points, "connectStormSeconds", "reconnectSeconds");
        chart(
                dir,
                "curve-latency.png",
                "Latency against agents",
                "ms",
                points,
                "apiP99Millis",
                "ackP99Millis",
                "fanOutMillis");
        chart(dir, "curve-database.png", "Database against agents", "MB", points, "databaseMb");
    }

    private static void chart(
            Path dir, String file, String title, String unit, List<Map<String, Object>> points, String... keys)
            throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        for (String key : keys) {
            Figure f = FIGURES.stream()
                    .filter(x -> x.key().equals(key))
                    .findFirst()
                    .orElseThrow();
            XYSeries s = new XYSeries(f.label() + " (" + f.unit() + ")");
            for (Map<String, Object> p : points) {
                if (p.get(key) instanceof Double v && !v.isNaN()) {
                    s.add(((Integer) p.get("agents")).doubleValue(), v);
                }
            }
            data.addSeries(s);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(
                title, "agents", unit, data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        Color[] palette = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c)};
        var renderer = new org.jfree.chart.renderer.xy.XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < keys.length; i++) {
            renderer.setSeriesPaint(i, palette[i % palette.length]);
            renderer.setSeriesStroke(i, new BasicStroke(1.6f));
        }
        plot.setRenderer(renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        ChartUtils.saveChartAsPNG(dir.resolve(file).toFile(), chart, 1000, 500);
    }

    private static String fmt(double v) {
        return Math.abs(v) >= 100 ? String.format("%,.0f", v) : String.format("%.2f", v);
    }

    private static Double num(JsonNode n) {
        return n.isNumber() ? n.asDouble() : null;
    }

    private static Double mb(JsonNode n) {
        return n.isNumber() ? n.asDouble() / 1_048_576 : null;
    }
}
