package dev.flotilla.api.rest;

import java.util.List;

/**
 * A recurring update window: either {@code days} and {@code start} (weekly) or {@code cron} (a
 * five-field Unix cron expression: minute hour day-of-month month day-of-week), each with a length
 * and an IANA time zone.
 *
 * @param days days of the week it opens on: {@code MON}..{@code SUN} (or full names)
 * @param start local time it opens at, {@code HH:mm}
 * @param cron when it opens, instead of {@code days} and {@code start}
 * @param length how long it stays open, in elapsed time: an ISO-8601 duration such as {@code PT2H}
 *     (1 minute to 7 days, whole minutes); not longer than the time between two of its openings
 * @param timeZone IANA time zone of {@code start} or {@code cron}, e.g. {@code Europe/Berlin};
 *     default {@code UTC}
 */
public record UpdateWindow(List<String> days, String start, String cron, String length, String timeZone) {}
