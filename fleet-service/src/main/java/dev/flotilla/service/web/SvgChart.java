package dev.flotilla.service.web;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A line chart drawn as SVG on the server, with the same numbers as a table beside it: pure code,
 * no database, no script. Colours come from the page's CSS through class names (so dark mode
 * follows), and every series is named in text in a legend, never by colour alone.
 */
public final class SvgChart {
    static final int WIDTH = 640;
    static final int HEIGHT = 200;
    static final int LEFT = 44;
    static final int RIGHT = 8;
    static final int TOP = 10;
    static final int BOTTOM = 24;

    /**
     * One line: its name (also its CSS class, e.g. {@code online}) and one value per time of the chart.
     */
    public record Series(String name, List<Integer> values) {}

    /**
     * What to draw: {@code times} in order, within {@code from}..{@code to}; points further apart
     * than two {@code step}s are not joined (no data between them).
     */
    public record Chart(
            String id,
            String title,
            Instant from,
            Instant to,
            Duration step,
            List<Instant> times,
            List<Series> series,
            DateTimeFormatter format) {
        public Chart {
            times = List.copyOf(times);
            series = List.copyOf(series);
            for (Series s : series) {
                if (s.values().size() != times.size()) {
                    throw new IllegalArgumentException("series " + s.name() + " has "
                            + s.values().size() + " values for " + times.size() + " times");
                }
            }
        }
    }

    private SvgChart() {}

    /** Hours and minutes in UTC, as the dashboard shows times. */
    public static final DateTimeFormatter HOURS =
            DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);

    /** Day and hour in UTC. */
    public static final DateTimeFormatter DAYS =
            DateTimeFormatter.ofPattern("EEE d MMM HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);

    /** The chart's SVG and its table in a {@code <details>}; or a sentence when there is nothing to draw. */
    public static String render(Chart c) {
        if (c.times().isEmpty()) {
            return "<p class=\"empty\" id=\"" + escape(c.id()) + "\">" + escape(c.title())
                    + ": no history yet. The first point appears within minutes of the first machine enrolling.</p>";
        }
        return svg(c) + table(c);
    }

    static String svg(Chart c) {
        int max = niceMax(c.series().stream()
                .flatMap(s -> s.values().stream())
                .mapToInt(Integer::intValue)
                .max()
                .orElse(0));
        String id = escape(c.id());
        StringBuilder out = new StringBuilder();
        out.append("<svg class=\"chart\" role=\"img\" viewBox=\"0 0 ")
                .append(WIDTH)
                .append(' ')
                .append(HEIGHT)
                .append("\" aria-labelledby=\"")
                .append(id)
                .append("-title ")
                .append(id)
                .append("-desc\" xmlns=\"http://www.w3.org/2000/svg\">");
        out.append("<title id=\"")
                .append(id)
                .append("-title\">")
                .append(escape(c.title()))
                .append("</title>");
        out.append("<desc id=\"")
                .append(id)
                .append("-desc\">")
                .append(escape(summary(c)))
                .append("</desc>");
        // Grid and the y axis: 0, half, the top.
        for (int tick : new int[] {0, max / 2, max}) {
            double y = y(tick, max);
            out.append("<line class=\"gridline\" x1=\"")
                    .append(LEFT)
                    .append("\" x2=\"")
                    .append(WIDTH - RIGHT)
                    .append("\" y1=\"")
                    .append(fmt(y))
                    .append("\" y2=\"")
                    .append(fmt(y))
                    .append("\"/>");
            out.append("<text class=\"axis\" x=\"")
                    .append(LEFT - 6)
                    .append("\" y=\"")
                    .append(fmt(y + 4))
                    .append("\" text-anchor=\"end\">")
                    .append(tick)
                    .append("</text>");
        }
        out.append("<text class=\"axis\" x=\"")
                .append(LEFT)
                .append("\" y=\"")
                .append(HEIGHT - 6)
                .append("\">")
                .append(escape(c.format().format(c.from())))
                .append("</text>");
        out.append("<text class=\"axis\" x=\"")
                .append(WIDTH - RIGHT)
                .append("\" y=\"")
                .append(HEIGHT - 6)
                .append("\" text-anchor=\"end\">")
                .append(escape(c.format().format(c.to())))
                .append("</text>");
        for (Series s : c.series()) {
            for (List<String> segment : segments(c, s, max)) {
                out.append("<polyline class=\"line ")
                        .append(escape(s.name()))
                        .append("\" points=\"")
                        .append(String.join(" ", segment))
                        .append("\"/>");
            }
        }
        out.append("</svg>");
        out.append("<ul class=\"legend\">");
        for (Series s : c.series()) {
            int last = s.values().get(s.values().size() - 1);
            out.append("<li><span class=\"swatch ")
                    .append(escape(s.name()))
                    .append("\" aria-hidden=\"true\"></span>")
                    .append(escape(s.name()))
                    .append(": ")
                    .append(last)
                    .append(" now</li>");
        }
        out.append("</ul>");
        return out.toString();
    }

    /** The same numbers as a table: one row a time, one column a series. */
    static String table(Chart c) {
        StringBuilder out = new StringBuilder("<details class=\"chart-table\"><summary>")
                .append(escape(c.title()))
                .append(" as a table</summary><table><caption>")
                .append(escape(c.title()))
                .append(" (UTC)</caption><thead><tr><th scope=\"col\">Time</th>");
        for (Series s : c.series()) {
            out.append("<th scope=\"col\">").append(escape(s.name())).append("</th>");
        }
        out.append("</tr></thead><tbody>");
        for (int i = 0; i < c.times().size(); i++) {
            Instant t = c.times().get(i);
            out.append("<tr><th scope=\"row\"><time datetime=\"")
                    .append(t)
                    .append("\">")
                    .append(escape(c.format().format(t)))
                    .append("</time></th>");
            for (Series s : c.series()) {
                out.append("<td>").append(s.values().get(i)).append("</td>");
            }
            out.append("</tr>");
        }
        return out.append("</tbody></table></details>").toString();
    }

    /** A sentence for screen readers: the range and each series' last, lowest and highest values. */
    static String summary(Chart c) {
        StringBuilder out = new StringBuilder("From ")
                .append(c.format().format(c.from()))
                .append(" to ")
                .append(c.format().format(c.to()))
                .append(" UTC.");
        for (Series s : c.series()) {
            int min = s.values().stream().mapToInt(Integer::intValue).min().orElse(0);
            int max = s.values().stream().mapToInt(Integer::intValue).max().orElse(0);
            out.append(' ')
                    .append(s.name())
                    .append(": ")
                    .append(s.values().get(s.values().size() - 1))
                    .append(" now, between ")
                    .append(min)
                    .append(" and ")
                    .append(max)
                    .append('.');
        }
        return out.toString();
    }

    /** The top of the y axis: the smallest 1, 2 or 5 times a power of ten at or above {@code max}. */
    static int niceMax(int max) {
        if (max <= 1) {
            return 1;
        }
        long power = 1;
        while (true) {
            for (int f : new int[] {1, 2, 5}) {
                if (f * power >= max) {
                    return (int) Math.min(Integer.MAX_VALUE, f * power);
                }
            }
            power *= 10;
        }
    }

    static double x(Chart c, Instant t) {
        double span = Math.max(1, Duration.between(c.from(), c.to()).toMillis());
        double at = Duration.between(c.from(), t).toMillis() / span;
        return LEFT + Math.max(0, Math.min(1, at)) * (WIDTH - LEFT - RIGHT);
    }

    static double y(int value, int max) {
        return TOP + (1 - (double) value / max) * (HEIGHT - TOP - BOTTOM);
    }

    /** A series' points, split where two times are more than two steps apart (a gap in the history). */
    private static List<List<String>> segments(Chart c, Series s, int max) {
        List<List<String>> out = new ArrayList<>();
        List<String> current = new ArrayList<>();
        Instant previous = null;
        for (int i = 0; i < c.times().size(); i++) {
            Instant t = c.times().get(i);
            if (previous != null
                    && Duration.between(previous, t).compareTo(c.step().multipliedBy(2)) > 0) {
                out.add(current);
                current = new ArrayList<>();
            }
            current.add(fmt(x(c, t)) + "," + fmt(y(s.values().get(i), max)));
            previous = t;
        }
        out.add(current);
        // A lone point is drawn as a zero-length line: round caps in CSS make it a dot.
        return out.stream()
                .map(seg -> seg.size() == 1 ? List.of(seg.get(0), seg.get(0)) : seg)
                .toList();
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** Text and attribute values, escaped for HTML and SVG alike. */
    static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(s.length());
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(ch);
            }
        }
        return out.toString();
    }
}
