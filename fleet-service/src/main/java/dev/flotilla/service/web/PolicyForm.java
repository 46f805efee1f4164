package dev.flotilla.service.web;

import java.time.DayOfWeek;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.flotilla.api.rest.NewUpdatePolicy;
import dev.flotilla.api.rest.UpdatePolicyView;
import dev.flotilla.api.rest.UpdateWindow;
import dev.flotilla.service.common.ProblemException;

/**
 * The update policy form as typed, echoed back with what went wrong and where, or with a preview.
 * Every field is kept as text so a refused form shows what was typed. The form's windows are rows
 * whose inputs share names ({@code kind}, {@code start}, {@code cron}, {@code length},
 * {@code zone}: one value per row, in order) except the day checkboxes ({@code day} =
 * {@code "row:MON"}); blank rows are left out.
 *
 * @param existing editing a stored policy (its name is fixed), not creating one
 * @param error why it was refused (the service's words), or null
 * @param errorField where: {@code name}, {@code selector}, {@code priority}, {@code windows},
 *     {@code maxParallel}, {@code maxPerPeriod}, {@code period}, {@code updateTimeout},
 *     {@code safeModeFailures}, {@code reason}; a window's errors are on its row; null: none or
 *     nowhere in particular
 * @param preview what saving would do, or null
 */
public record PolicyForm(
        boolean existing,
        String name,
        String selector,
        String priority,
        List<Row> windows,
        String maxParallel,
        String maxPerPeriod,
        String period,
        String updateTimeout,
        boolean safeMode,
        String safeModeFailures,
        boolean paused,
        String error,
        String errorField,
        Preview preview) {

    private static final Pattern WINDOW_ERROR = Pattern.compile("^windows\\[(\\d+)]: (.*)$", Pattern.DOTALL);

    /**
     * One window as typed: {@code kind} weekly or cron. {@code error} and {@code errorField}
     * ({@code kind}, {@code days}, {@code start}, {@code cron}, {@code length}, {@code zone}) when it
     * was refused.
     */
    public record Row(
            int index,
            String kind,
            List<String> days,
            String start,
            String cron,
            String length,
            String zone,
            String errorField,
            String error) {

        static Row empty(int index) {
            return new Row(index, "weekly", List.of(), "", "", "", "UTC", null, null);
        }

        boolean blank() {
            return days.isEmpty() && start.isBlank() && cron.isBlank() && length.isBlank();
        }

        public boolean cronKind() {
            return "cron".equals(kind);
        }

        /** The seven checkboxes, Monday first. */
        public List<DayBox> dayBoxes() {
            List<DayBox> out = new ArrayList<>();
            for (DayOfWeek d : DayOfWeek.values()) {
                String code = d.name().substring(0, 3);
                out.add(new DayBox(code, d.getDisplayName(TextStyle.SHORT, Locale.ENGLISH), days.contains(code)));
            }
            return out;
        }

        /** The ids of the descriptions of {@code field}: its error, if it has one. */
        public String describedBy(String field, String hint) {
            String err = field.equals(errorField) ? "w" + index + "-error" : null;
            return err == null ? hint : hint == null ? err : err + " " + hint;
        }

        UpdateWindow toWindow() {
            String z = zone.isBlank() ? null : zone.strip();
            String len = DurationInput.iso(length);
            if (cronKind()) {
                return new UpdateWindow(null, null, cron.isBlank() ? null : cron.strip(), len, z);
            }
            return new UpdateWindow(days, start.isBlank() ? null : start.strip(), null, len, z);
        }

        Row withError(String field, String message) {
            return new Row(index, kind, days, start, cron, length, zone, field, message);
        }
    }

    /**
     * What saving would do, as the page shows it.
     *
     * @param timeZone the zone {@code openings} show first (the first window's), beside UTC
     * @param openings the next openings; empty: always open
     * @param machines how many machines the selector matches
     * @param listed the first of them, each with the policy it follows now and would follow
     * @param moving how many of {@code listed} would move to this policy from another
     */
    public record Preview(
            String timeZone,
            List<Opening> openings,
            int machines,
            List<dev.flotilla.service.updates.PolicyPreviews.Match> listed,
            long moving) {}

    /** One opening in the policy's zone and in UTC. */
    public record Opening(String from, String to, String utcFrom, String utcTo) {}

    /** A day-of-week checkbox: {@code code} as the API writes it, {@code label} as people read it. */
    public record DayBox(String code, String label, boolean checked) {}

    /** A blank form for a new policy: one empty window row. */
    static PolicyForm blank() {
        return new PolicyForm(
                false, "", "", "100", List.of(Row.empty(0)), "1", "", "", "1 h", false, "1", false, null, null, null);
    }

    /** A stored policy as the form shows it: its windows, then one empty row for another. */
    static PolicyForm of(UpdatePolicyView p) {
        List<Row> rows = new ArrayList<>();
        for (UpdateWindow w : p.windows()) {
            List<String> days = new ArrayList<>();
            if (w.days() != null) {
                for (String d : w.days()) {
                    days.add(d.strip()
                            .toUpperCase(Locale.ROOT)
                            .substring(0, Math.min(3, d.strip().length())));
                }
            }
            rows.add(new Row(
                    rows.size(),
                    w.cron() != null ? "cron" : "weekly",
                    days,
                    w.start() == null ? "" : w.start(),
                    w.cron() == null ? "" : w.cron(),
                    w.length() == null ? "" : TemplateExtensions.duration(w.length()),
                    w.timeZone() == null ? "UTC" : w.timeZone(),
                    null,
                    null));
        }
        rows.add(Row.empty(rows.size()));
        return new PolicyForm(
                true,
                p.name(),
                p.selector() == null ? "" : p.selector(),
                String.valueOf(p.priority()),
                rows,
                p.maxParallel(),
                p.maxPerPeriod() == null ? "" : String.valueOf(p.maxPerPeriod()),
                p.period() == null ? "" : TemplateExtensions.duration(p.period()),
                TemplateExtensions.duration(p.updateTimeout()),
                p.safeMode(),
                String.valueOf(p.safeModeFailures()),
                p.paused(),
                null,
                null,
                null);
    }

    /** The window rows of a posted form: each list holds one value per row, {@code day} "row:DAY". */
    static List<Row> rows(
            List<String> kind,
            List<String> start,
            List<String> cron,
            List<String> length,
            List<String> zone,
            List<String> day) {
        int n = Math.max(Math.max(size(kind), size(start)), Math.max(Math.max(size(cron), size(length)), size(zone)));
        if (n > dev.flotilla.service.updates.Schedule.MAX_WINDOWS + 1) {
            // the form never has more rows than the windows a policy may have and one empty row
            throw dev.flotilla.service.common.ProblemException.badRequest(
                    "at most " + dev.flotilla.service.updates.Schedule.MAX_WINDOWS + " windows, not " + n);
        }
        java.util.Set<String> checked = day == null ? java.util.Set.of() : new java.util.HashSet<>(day);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<String> days = new ArrayList<>();
            for (DayOfWeek d : DayOfWeek.values()) {
                String code = d.name().substring(0, 3);
                if (checked.contains(i + ":" + code)) {
                    days.add(code);
                }
            }
            rows.add(new Row(
                    i,
                    "cron".equals(at(kind, i)) ? "cron" : "weekly",
                    days,
                    at(start, i),
                    at(cron, i),
                    at(length, i),
                    at(zone, i),
                    null,
                    null));
        }
        return rows.isEmpty() ? List.of(Row.empty(0)) : rows;
    }

    /** The same form with one more empty window row (the "Add a window" button). */
    PolicyForm withAnotherRow() {
        List<Row> rows = new ArrayList<>(windows);
        rows.add(Row.empty(rows.size()));
        return withRows(rows);
    }

    /** The same form without row {@code index} (its "Remove" button), renumbered. */
    PolicyForm without(int index) {
        List<Row> rows = new ArrayList<>();
        for (Row r : windows) {
            if (r.index() != index) {
                rows.add(new Row(
                        rows.size(), r.kind(), r.days(), r.start(), r.cron(), r.length(), r.zone(), null, null));
            }
        }
        return withRows(rows.isEmpty() ? List.of(Row.empty(0)) : rows);
    }

    /** Whether another row may be added: rows up to the API's limit of windows. */
    public boolean canAddWindow() {
        return windows.size() < dev.flotilla.service.updates.Schedule.MAX_WINDOWS;
    }

    /** The form as the API's request; 400 for what only a form can get wrong (a number that is not one). */
    NewUpdatePolicy toRequest() {
        List<UpdateWindow> ws = new ArrayList<>();
        for (Row r : windows) {
            if (!r.blank()) {
                ws.add(r.toWindow());
            }
        }
        return new NewUpdatePolicy(
                name.strip(),
                selector,
                number("priority", priority),
                ws,
                maxParallel.isBlank() ? null : maxParallel.strip(),
                number("maxPerPeriod", maxPerPeriod),
                DurationInput.iso(period),
                DurationInput.iso(updateTimeout),
                safeMode,
                number("safeModeFailures", safeModeFailures),
                paused);
    }

    /**
     * The form refused with {@code e}'s words, the message beside the field it is about: the
     * service names the field first ({@code maxParallel must ...}), a window by its place among
     * the windows given ({@code windows[1]: ...}), which is its row once blank rows are skipped.
     */
    PolicyForm refused(ProblemException e) {
        String message = e.getMessage();
        Matcher w = WINDOW_ERROR.matcher(message);
        if (w.matches()) {
            int given = Integer.parseInt(w.group(1));
            List<Row> rows = new ArrayList<>(windows);
            int seen = -1;
            for (int i = 0; i < rows.size(); i++) {
                if (!rows.get(i).blank() && ++seen == given) {
                    rows.set(i, rows.get(i).withError(windowField(w.group(2)), w.group(2)));
                }
            }
            return with(rows, message, null);
        }
        return with(windows, message, fieldOf(message));
    }

    /** The form with a preview of what saving would do. */
    PolicyForm previewed(Preview p) {
        return new PolicyForm(
                existing,
                name,
                selector,
                priority,
                windows,
                maxParallel,
                maxPerPeriod,
                period,
                updateTimeout,
                safeMode,
                safeModeFailures,
                paused,
                null,
                null,
                p);
    }

    /** The ids of the descriptions of {@code field}: its error, if it has one, and its hint. */
    public String describedBy(String field, String hint) {
        String err = field.equals(errorField) ? field + "-error" : null;
        return err == null ? hint : hint == null ? err : err + " " + hint;
    }

    static String fieldOf(String message) {
        for (String f : List.of("maxParallel", "maxPerPeriod", "updateTimeout", "safeModeFailures", "priority")) {
            if (message.startsWith(f)) {
                return f;
            }
        }
        if (message.startsWith("period")) {
            return "period";
        }
        if (message.startsWith("invalid label selector")) {
            return "selector";
        }
        if (message.startsWith("at most ") && message.contains("windows")) {
            return "windows";
        }
        if (message.startsWith("name")
                || message.startsWith("\"default\"")
                || message.startsWith("an update policy named")) {
            return "name";
        }
        return null;
    }

    private static String windowField(String message) {
        if (message.startsWith("length")) {
            return "length";
        }
        if (message.startsWith("unknown time zone")) {
            return "zone";
        }
        if (message.startsWith("cron")) {
            return "cron";
        }
        if (message.startsWith("start")) {
            return "start";
        }
        if (message.contains("day")) {
            return "days";
        }
        return "kind";
    }

    private PolicyForm withRows(List<Row> rows) {
        return with(rows, null, null);
    }

    private PolicyForm with(List<Row> rows, String message, String field) {
        return new PolicyForm(
                existing,
                name,
                selector,
                priority,
                List.copyOf(rows),
                maxParallel,
                maxPerPeriod,
                period,
                updateTimeout,
                safeMode,
                safeModeFailures,
                paused,
                message,
                field,
                null);
    }

    private static Integer number(String field, String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Integer.valueOf(text.strip());
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest(field + " must be a whole number, not \"" + text.strip() + "\"");
        }
    }

    private static int size(List<String> l) {
        return l == null ? 0 : l.size();
    }

    private static String at(List<String> l, int i) {
        return l == null || i >= l.size() || l.get(i) == null ? "" : l.get(i);
    }
}
