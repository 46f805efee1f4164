package dev.flotilla.service.updates;

import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

import dev.flotilla.api.rest.UpdatePolicyView.OpenPeriod;
import dev.flotilla.api.rest.UpdateWindow;

/**
 * When updates may start: the union of recurring windows. Pure: every question takes the time
 * it is asked at, so tests give any clock they like.
 *
 * <p>Daylight-saving time. A window opens at its local start time in its zone and lasts its length
 * in elapsed time. A start time that does not exist that day (the clocks jump over it) opens the
 * window as much later as the jump (02:30 on a day the clocks go from 02:00 to 03:00 opens at
 * 03:30); a start time that exists twice (the clocks go back) opens it at the first. A window of
 * 120 minutes is 120 minutes long on every day, even when the wall clock shows a different span.
 * Cron windows open when cron-utils says the expression fires in the window's zone.
 */
public final class Schedule {
    private static final CronParser CRON = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    private static final Pattern START = Pattern.compile("^([01][0-9]|2[0-3]):[0-5][0-9]$");
    static final Duration MAX_LENGTH = Duration.ofDays(7);
    /** The most windows a policy may have. */
    public static final int MAX_WINDOWS = 20;

    private final List<Recurrence> recurrences;

    private Schedule(List<Recurrence> recurrences) {
        this.recurrences = recurrences;
    }

    /** Always open: no windows. */
    public static Schedule always() {
        return new Schedule(List.of());
    }

    /**
     * Reads windows as the API gives them.
     *
     * @throws IllegalArgumentException with the reason, naming the window ({@code windows[1]: ...})
     */
    public static Schedule of(List<UpdateWindow> windows) {
        if (windows != null && windows.size() > MAX_WINDOWS) {
            throw new IllegalArgumentException("at most " + MAX_WINDOWS + " windows, not " + windows.size());
        }
        return parse(windows, true);
    }

    /** Windows as stored (checked when they were saved): read without the period check's cost. */
    static Schedule stored(List<UpdateWindow> windows) {
        return parse(windows, false);
    }

    private static Schedule parse(List<UpdateWindow> windows, boolean check) {
        List<Recurrence> out = new ArrayList<>();
        if (windows != null) {
            for (int i = 0; i < windows.size(); i++) {
                try {
                    out.add(recurrence(windows.get(i), check));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("windows[" + i + "]: " + e.getMessage());
                }
            }
        }
        return new Schedule(List.copyOf(out));
    }

    public boolean isAlwaysOpen() {
        return recurrences.isEmpty();
    }

    /** Whether updates may start at {@code at}. */
    public boolean isOpen(Instant at) {
        return isAlwaysOpen() || recurrences.stream().anyMatch(r -> r.openAt(at) != null);
    }

    /**
     * The next {@code count} open periods from {@code at} on (the current one first, if open),
     * overlapping or touching windows merged. Empty when always open.
     */
    public List<OpenPeriod> next(Instant at, int count) {
        if (isAlwaysOpen() || count <= 0) {
            return List.of();
        }
        List<OpenPeriod> all = new ArrayList<>();
        for (Recurrence r : recurrences) {
            OpenPeriod current = r.openAt(at);
            if (current != null) {
                all.add(current);
            }
            Instant t = at;
            // Enough of each window to fill count merged periods.
            for (int i = 0; i < count + 1; i++) {
                Instant start = r.nextStartAfter(t);
                if (start == null) {
                    break;
                }
                all.add(new OpenPeriod(start, start.plus(r.length())));
                t = start;
            }
        }
        all.sort(Comparator.comparing(OpenPeriod::from));
        List<OpenPeriod> merged = new ArrayList<>();
        for (OpenPeriod p : all) {
            if (!merged.isEmpty()
                    && !p.from().isAfter(merged.get(merged.size() - 1).to())) {
                OpenPeriod last = merged.remove(merged.size() - 1);
                merged.add(new OpenPeriod(last.from(), p.to().isAfter(last.to()) ? p.to() : last.to()));
            } else {
                merged.add(p);
            }
        }
        return merged.size() > count ? List.copyOf(merged.subList(0, count)) : List.copyOf(merged);
    }

    /** When updates may next start: {@code at} itself when open now, else the next opening. */
    public Optional<Instant> nextOpening(Instant at) {
        if (isOpen(at)) {
            return Optional.of(at);
        }
        return next(at, 1).stream().findFirst().map(OpenPeriod::from);
    }

    private static Recurrence recurrence(UpdateWindow w, boolean check) {
        if (w == null) {
            throw new IllegalArgumentException("a window is required, not null");
        }
        ZoneId zone = zone(w.timeZone());
        if (w.length() == null) {
            throw new IllegalArgumentException("length is required (an ISO-8601 duration such as PT2H)");
        }
        Duration length;
        try {
            length = Duration.parse(w.length().strip());
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("length must be an ISO-8601 duration such as PT2H or PT30M, not \""
                    + (w.length().length() > 40 ? w.length().substring(0, 40) + "…" : w.length()) + "\"");
        }
        if (length.compareTo(Duration.ofMinutes(1)) < 0
                || length.compareTo(MAX_LENGTH) > 0
                || length.toSecondsPart() != 0
                || length.toNanosPart() != 0) {
            throw new IllegalArgumentException(
                    "length must be whole minutes between PT1M and " + MAX_LENGTH + " (7 days), not " + w.length());
        }
        boolean weekly = (w.days() != null && !w.days().isEmpty()) || w.start() != null;
        boolean cron = w.cron() != null;
        if (weekly == cron) {
            throw new IllegalArgumentException("a window has either days and start, or cron");
        }
        Recurrence r = cron ? Cron.of(w.cron(), zone, length) : Weekly.of(w.days(), w.start(), zone, length);
        Duration period = check ? r.shortestPeriod() : length;
        if (length.compareTo(period) > 0) {
            throw new IllegalArgumentException(
                    "length " + length + " is longer than the window's period (" + period + " between two openings)");
        }
        return r;
    }

    private static ZoneId zone(String name) {
        if (name == null || name.isBlank()) {
            return ZoneOffset.UTC;
        }
        if (!ZoneId.getAvailableZoneIds().contains(name) && !name.equals("UTC")) {
            throw new IllegalArgumentException(
                    "unknown time zone \"" + name + "\" (an IANA name such as Europe/Berlin)");
        }
        try {
            return ZoneId.of(name);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("unknown time zone \"" + name + "\"");
        }
    }

    /** One kind of recurring window. */
    private interface Recurrence {
        Duration length();

        /** The latest opening at or before {@code at}, or null. */
        Instant latestStartAtOrBefore(Instant at);

        /** The first opening after {@code at}, or null when there is none. */
        Instant nextStartAfter(Instant at);

        /** The shortest time between two openings. */
        Duration shortestPeriod();

        /** The open period containing {@code at}, or null. */
        default OpenPeriod openAt(Instant at) {
            Instant start = latestStartAtOrBefore(at);
            if (start == null) {
                return null;
            }
            Instant end = start.plus(length());
            return at.isBefore(end) ? new OpenPeriod(start, end) : null;
        }
    }

    private record Weekly(Set<DayOfWeek> days, LocalTime start, ZoneId zone, Duration length) implements Recurrence {
        static Weekly of(List<String> dayNames, String start, ZoneId zone, Duration length) {
            if (dayNames == null || dayNames.isEmpty()) {
                throw new IllegalArgumentException("days are required with start (MON..SUN)");
            }
            if (dayNames.size() > 7) {
                throw new IllegalArgumentException("at most 7 days, not " + dayNames.size());
            }
            if (start == null || !START.matcher(start).matches()) {
                throw new IllegalArgumentException("start must be a time HH:mm (00:00 to 23:59), not " + quote(start));
            }
            Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
            for (String d : dayNames) {
                days.add(day(d));
            }
            try {
                return new Weekly(days, LocalTime.parse(start), zone, length);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("start must be a time HH:mm, not " + quote(start));
            }
        }

        private static DayOfWeek day(String name) {
            if (name != null) {
                String n = name.trim().toUpperCase(Locale.ROOT);
                for (DayOfWeek d : DayOfWeek.values()) {
                    if (d.name().equals(n) || d.name().substring(0, 3).equals(n)) {
                        return d;
                    }
                }
            }
            throw new IllegalArgumentException("unknown day " + quote(name) + " (MON, TUE, WED, THU, FRI, SAT, SUN)");
        }

        private Instant startOn(LocalDate date) {
            // ZonedDateTime.of moves a time in a gap later by the gap, and takes the earlier offset
            // of a time that exists twice: the rule the class documents.
            return ZonedDateTime.of(date, start, zone).toInstant();
        }

        @Override
        public Instant latestStartAtOrBefore(Instant at) {
            LocalDate today = at.atZone(zone).toLocalDate();
            for (int back = -1; back <= 8; back++) {
                LocalDate d = today.minusDays(back);
                if (days.contains(d.getDayOfWeek())) {
                    Instant s = startOn(d);
                    if (!s.isAfter(at)) {
                        return s;
                    }
                }
            }
            return null;
        }

        @Override
        public Instant nextStartAfter(Instant at) {
            LocalDate today = at.atZone(zone).toLocalDate();
            for (int ahead = -1; ahead <= 8; ahead++) {
                LocalDate d = today.plusDays(ahead);
                if (days.contains(d.getDayOfWeek())) {
                    Instant s = startOn(d);
                    if (s.isAfter(at)) {
                        return s;
                    }
                }
            }
            return null;
        }

        @Override
        public Duration shortestPeriod() {
            List<Integer> ordinals =
                    days.stream().map(DayOfWeek::getValue).sorted().toList();
            int shortest = 7;
            for (int i = 0; i < ordinals.size(); i++) {
                int next = i + 1 < ordinals.size() ? ordinals.get(i + 1) : ordinals.get(0) + 7;
                shortest = Math.min(shortest, next - ordinals.get(i));
            }
            // A day with the clocks going forward is an hour short: a daily window may still be
            // 24 hours long (it then touches the next one, which is fine).
            return Duration.ofDays(shortest);
        }
    }

    private record Cron(String expression, ExecutionTime execution, ZoneId zone, Duration length)
            implements Recurrence {
        static Cron of(String expression, ZoneId zone, Duration length) {
            try {
                com.cronutils.model.Cron cron = CRON.parse(expression.trim()).validate();
                return new Cron(expression, ExecutionTime.forCron(cron), zone, length);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("cron " + quote(expression) + " does not parse: " + e.getMessage());
            }
        }

        @Override
        public Instant latestStartAtOrBefore(Instant at) {
            ZonedDateTime z = at.atZone(zone);
            ZonedDateTime minute = z.truncatedTo(ChronoUnit.MINUTES);
            if (execution.isMatch(minute)) {
                return minute.toInstant();
            }
            return execution.lastExecution(z).map(ZonedDateTime::toInstant).orElse(null);
        }

        @Override
        public Instant nextStartAfter(Instant at) {
            return execution
                    .nextExecution(at.atZone(zone))
                    .map(ZonedDateTime::toInstant)
                    .orElse(null);
        }

        @Override
        public Duration shortestPeriod() {
            // Over a leap year's worth of openings from a fixed day, so that the check does not
            // depend on when it runs.
            ZonedDateTime t = ZonedDateTime.of(2028, 1, 1, 0, 0, 0, 0, zone);
            ZonedDateTime end = t.plusYears(1);
            Duration shortest = Duration.ofDays(366);
            ZonedDateTime previous = null;
            for (int i = 0; i < 20_000 && t.isBefore(end); i++) {
                Optional<ZonedDateTime> next = execution.nextExecution(t);
                if (next.isEmpty()) {
                    break;
                }
                if (previous != null) {
                    Duration gap = Duration.between(previous, next.get());
                    if (gap.compareTo(shortest) < 0) {
                        shortest = gap;
                    }
                }
                previous = next.get();
                t = next.get();
            }
            return shortest;
        }
    }

    private static String quote(String s) {
        return s == null ? "null" : "\"" + s + "\"";
    }
}
