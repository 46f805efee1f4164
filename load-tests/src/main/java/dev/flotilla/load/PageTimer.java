package dev.flotilla.load;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.HdrHistogram.Histogram;

/**
 * One signed-in client asking for one page at a time (HTTP/1.1, one kept-alive connection), so
 * that what it measures is the service's render time and not queueing: the latency of each answer
 * from sending the request to the last byte of its body, read whole.
 */
final class PageTimer {
    /** A page to time: the text its body must hold ({@code <h1>...}) proves it is the page, not a sign-in form. */
    record Page(String name, String path, String mustContain) {}

    private static final Pattern NEXT = Pattern.compile("rel=\"next\" href=\"([^\"]+)\"");

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    private final String url;
    private String cookie;

    PageTimer(String url, String cookie) {
        this.url = url;
        this.cookie = cookie;
    }

    /** A histogram for {@link #time}: microseconds, up to a minute, three significant digits. */
    static Histogram histogram() {
        return new Histogram(60_000_000L, 3);
    }

    /** Signs in through the dashboard's form as a person does; the session cookie's value. */
    static String signIn(String url, String user, String password) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(url + "/j_security_check"))
                                .timeout(Duration.ofSeconds(30))
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .POST(HttpRequest.BodyPublishers.ofString("j_username="
                                        + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&j_password="
                                        + URLEncoder.encode(password, StandardCharsets.UTF_8)))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        return r.headers().allValues("Set-Cookie").stream()
                .filter(c -> c.startsWith("quarkus-credential="))
                .map(c -> c.substring("quarkus-credential=".length(), c.indexOf(';')))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("sign-in failed: " + r.statusCode()));
    }

    /** One request; fails unless the answer is 200 and holds the page's mark. */
    String get(Page page) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(url + page.path()))
                        .timeout(Duration.ofSeconds(60))
                        .header("Accept", "text/html")
                        .header("Cookie", "quarkus-credential=" + cookie)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        // Form authentication renews its cookie now and then: keep signed in with the new one.
        r.headers().allValues("Set-Cookie").stream()
                .filter(c -> c.startsWith("quarkus-credential=") && c.indexOf(';') > 0)
                .findFirst()
                .ifPresent(c -> cookie = c.substring("quarkus-credential=".length(), c.indexOf(';')));
        if (r.statusCode() != 200 || !r.body().contains(page.mustContain())) {
            throw new IllegalStateException(page.name() + " (" + page.path() + ") answered " + r.statusCode()
                    + (r.statusCode() == 200 ? " without " + page.mustContain() : ""));
        }
        return r.body();
    }

    /**
     * The furthest page reached by following each page's "Next page" link from {@code first} at
     * most {@code pages} times, as a person would: its path and how many links were followed;
     * null when {@code first} has no next page.
     */
    Map.Entry<String, Integer> later(Page first, int pages) throws Exception {
        Page at = first;
        int followed = 0;
        for (; followed < pages; followed++) {
            Matcher m = NEXT.matcher(get(at));
            if (!m.find()) {
                break;
            }
            at = new Page(first.name(), m.group(1).replace("&amp;", "&"), first.mustContain());
        }
        return followed == 0 ? null : Map.entry(at.path(), followed);
    }

    /**
     * {@code warmup} requests discarded, then {@code requests} timed, one after another; with the
     * CPU the service and PostgreSQL used meanwhile. Latencies go to {@code h} (microseconds),
     * which should be empty: a new {@link #histogram()}.
     */
    Map<String, Object> time(Page page, int warmup, int requests, ServiceProcess service, Histogram h)
            throws Exception {
        for (int i = 0; i < warmup; i++) {
            get(page);
        }
        ServiceProcess.Usage before = service.usage();
        double postgresBefore = Cpu.postgresSeconds();
        long bytes = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < requests; i++) {
            long start = System.nanoTime();
            String body = get(page);
            h.recordValue(Math.max(1, (System.nanoTime() - start) / 1000));
            bytes = body.length();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        ServiceProcess.Usage after = service.usage();
        double postgres = Cpu.postgresSeconds() - postgresBefore;
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("page", page.name());
        r.put("path", page.path());
        r.put("requests", h.getTotalCount());
        r.put("warmup", warmup);
        r.put("p50Millis", h.getValueAtPercentile(50) / 1000.0);
        r.put("p95Millis", h.getValueAtPercentile(95) / 1000.0);
        r.put("p99Millis", h.getValueAtPercentile(99) / 1000.0);
        r.put("maxMillis", h.getMaxValue() / 1000.0);
        r.put("meanMillis", h.getMean() / 1000.0);
        r.put("bodyChars", bytes);
        r.put("seconds", seconds);
        if (before != null && after != null) {
            // The whole service's CPU over the loop, the fleet's heartbeats included: see idle CPU in the report.
            r.put("serviceCpuSeconds", after.cpuSeconds() - before.cpuSeconds());
        }
        r.put("postgresCpuSeconds", postgres);
        Bench.log(String.format(
                "%-16s p50 %6.1f  p95 %6.1f  p99 %6.1f  max %6.1f ms  (%d requests, %d chars)",
                page.name(),
                h.getValueAtPercentile(50) / 1000.0,
                h.getValueAtPercentile(95) / 1000.0,
                h.getValueAtPercentile(99) / 1000.0,
                h.getMaxValue() / 1000.0,
                requests,
                bytes));
        return r;
    }
}
