package dev.flotilla.service.updates;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.flotilla.api.rest.UpdatePolicyView.OpenPeriod;
import dev.flotilla.api.rest.UpdateWindow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Update windows at chosen instants: the schedule takes the time it is asked at (no clock of its own). */
class ScheduleTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    private static UpdateWindow weekly(List<String> days, String start, int minutes, String zone) {
        return new UpdateWindow(
                days, start, null, java.time.Duration.ofMinutes(minutes).toString(), zone);
    }

    private static Instant at(String local, ZoneId zone) {
        return LocalDateTime.parse(local).atZone(zone).toInstant();
    }

    @Test
    void shouldOpenAWindowThatCrossesMidnightUntilItsEndTheNextDay() {
        // Saturdays 23:00 for 3 hours: open Saturday 23:30 and Sunday 01:59, closed Sunday 02:00.
        Schedule s = Schedule.of(List.of(weekly(List.of("SAT"), "23:00", 180, "Europe/Berlin")));
        assertThat(s.isOpen(at("2026-11-28T22:59", BERLIN))).isFalse();
        assertThat(s.isOpen(at("2026-11-28T23:00", BERLIN))).isTrue();
        assertThat(s.isOpen(at("2026-11-29T01:59", BERLIN))).isTrue();
        assertThat(s.isOpen(at("2026-11-29T02:00", BERLIN))).isFalse();
        // Sunday is not a listed day: nothing opens Sunday 23:00.
        assertThat(s.isOpen(at("2026-11-29T23:30", BERLIN))).isFalse();
        assertThat(s.next(at("2026-11-29T03:00", BERLIN), 1))
                .containsExactly(new OpenPeriod(at("2026-12-05T23:00", BERLIN), at("2026-12-06T02:00", BERLIN)));
    }

    @Test
    void shouldUniteSeveralWindowsAndMergeTheOnesThatOverlap() {
        Schedule s = Schedule.of(List.of(
                weekly(List.of("TUE", "THU"), "02:00", 120, "UTC"),
                weekly(List.of("THU"), "03:00", 120, "UTC"),
                new UpdateWindow(null, null, "30 12 * * SUN", "PT30M", "UTC")));
        Instant monday = Instant.parse("2026-11-30T00:00:00Z");
        assertThat(s.isOpen(monday)).isFalse();
        assertThat(s.isOpen(Instant.parse("2026-12-01T03:59:00Z"))).isTrue(); // Tuesday
        assertThat(s.isOpen(Instant.parse("2026-12-03T04:30:00Z"))).isTrue(); // Thursday, the second window
        assertThat(s.isOpen(Instant.parse("2026-12-06T12:45:00Z"))).isTrue(); // Sunday, cron
        assertThat(s.next(monday, 3))
                .containsExactly(
                        new OpenPeriod(Instant.parse("2026-12-01T02:00:00Z"), Instant.parse("2026-12-01T04:00:00Z")),
                        new OpenPeriod(Instant.parse("2026-12-03T02:00:00Z"), Instant.parse("2026-12-03T05:00:00Z")),
                        new OpenPeriod(Instant.parse("2026-12-06T12:30:00Z"), Instant.parse("2026-12-06T13:00:00Z")));
        // Asked inside a window, the current one comes first, from its real start.
        assertThat(s.next(Instant.parse("2026-12-01T03:00:00Z"), 1))
                .containsExactly(
                        new OpenPeriod(Instant.parse("2026-12-01T02:00:00Z"), Instant.parse("2026-12-01T04:00:00Z")));
        assertThat(s.nextOpening(monday)).contains(Instant.parse("2026-12-01T02:00:00Z"));
    }

    @Test
    void shouldFollowEachWindowsOwnTimeZone() {
        // 22:00 in New York is 03:00 UTC the next day (EST, UTC-5) in winter.
        Schedule s = Schedule.of(List.of(weekly(List.of("MON"), "22:00", 60, "America/New_York")));
        assertThat(s.isOpen(Instant.parse("2026-12-08T03:30:00Z"))).isTrue(); // Tuesday in UTC
        assertThat(s.isOpen(Instant.parse("2026-12-07T22:30:00Z"))).isFalse(); // Monday 22:30 UTC
        assertThat(s.next(Instant.parse("2026-12-02T00:00:00Z"), 1).get(0).from())
                .isEqualTo(at("2026-12-07T22:00", NEW_YORK));
    }

    @Test
    void shouldOpenLaterByTheGapWhenTheClocksGoForwardAndLastItsLengthInElapsedTime() {
        // Berlin, 2026-03-29: 02:00 CET becomes 03:00 CEST. A daily 02:30 window opens at 03:30 CEST,
        // one hour later in UTC than the day before only by the offset change plus the gap.
        Schedule s = Schedule.of(List.of(
                weekly(List.of("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"), "02:30", 60, "Europe/Berlin")));
        List<OpenPeriod> periods = s.next(Instant.parse("2026-03-28T00:00:00Z"), 3);
        assertThat(periods.get(0))
                .isEqualTo(
                        new OpenPeriod(Instant.parse("2026-03-28T01:30:00Z"), Instant.parse("2026-03-28T02:30:00Z")));
        assertThat(periods.get(1))
                .isEqualTo(
                        new OpenPeriod(Instant.parse("2026-03-29T01:30:00Z"), Instant.parse("2026-03-29T02:30:00Z")));
        assertThat(periods.get(1).from().atZone(BERLIN).toLocalTime()).hasToString("03:30");
        assertThat(periods.get(2))
                .isEqualTo(
                        new OpenPeriod(Instant.parse("2026-03-30T00:30:00Z"), Instant.parse("2026-03-30T01:30:00Z")));
    }

    @Test
    void shouldOpenAtTheFirstOfTwoEqualTimesWhenTheClocksGoBack() {
        // Berlin, 2026-10-25: 03:00 CEST becomes 02:00 CET; 02:30 happens twice. The window opens at
        // the first (00:30 UTC) and lasts 90 elapsed minutes (until 02:00 UTC = 03:00 CET), so it is
        // still open at the second 02:30 (01:30 UTC).
        Schedule s = Schedule.of(List.of(weekly(List.of("SUN"), "02:30", 90, "Europe/Berlin")));
        assertThat(s.isOpen(Instant.parse("2026-10-25T00:29:00Z"))).isFalse();
        assertThat(s.isOpen(Instant.parse("2026-10-25T00:30:00Z"))).isTrue();
        assertThat(s.isOpen(Instant.parse("2026-10-25T01:30:00Z"))).isTrue();
        assertThat(s.isOpen(Instant.parse("2026-10-25T02:00:00Z"))).isFalse();
    }

    @Test
    void shouldBeAlwaysOpenWithoutWindows() {
        Schedule s = Schedule.of(List.of());
        assertThat(s.isOpen(Instant.parse("2026-01-01T00:00:00Z"))).isTrue();
        assertThat(s.next(Instant.parse("2026-01-01T00:00:00Z"), 5)).isEmpty();
        assertThat(s.nextOpening(Instant.parse("2026-01-01T00:00:00Z")))
                .contains(Instant.parse("2026-01-01T00:00:00Z"));
    }

    @Test
    void shouldRefuseWindowsThatCannotBeWithTheReason() {
        record Case(UpdateWindow window, String reason) {}
        List<Case> cases = List.of(
                new Case(
                        weekly(List.of("MON"), "02:00", 0, "UTC"),
                        "length must be whole minutes between PT1M and PT168H (7 days)"),
                new Case(weekly(List.of("MON"), "02:00", -5, "UTC"), "length must be whole minutes between PT1M"),
                new Case(new UpdateWindow(List.of("MON"), "02:00", null, null, "UTC"), "length is required"),
                new Case(
                        new UpdateWindow(List.of("MON"), "02:00", null, "90", "UTC"),
                        "length must be an ISO-8601 duration"),
                new Case(new UpdateWindow(List.of("MON"), "02:00", null, "PT90S", "UTC"), "whole minutes"),
                new Case(weekly(List.of("MON"), "02:00", 60, "Mars/Olympus"), "unknown time zone \"Mars/Olympus\""),
                new Case(weekly(List.of("MON"), "02:00", 60, "+02:00"), "unknown time zone"),
                new Case(weekly(List.of("MON"), "25:00", 60, "UTC"), "start must be a time HH:mm"),
                new Case(weekly(List.of("MOON"), "02:00", 60, "UTC"), "unknown day \"MOON\""),
                new Case(weekly(List.of(), "02:00", 60, "UTC"), "days are required"),
                new Case(
                        new UpdateWindow(List.of("MON"), "02:00", "0 2 * * *", "PT1H", "UTC"),
                        "either days and start, or cron"),
                new Case(new UpdateWindow(null, null, null, "PT1H", "UTC"), "either days and start, or cron"),
                new Case(new UpdateWindow(null, null, "every night", "PT1H", "UTC"), "does not parse"),
                // Daily windows of 25 hours, hourly cron windows of 2 hours: longer than their period.
                new Case(
                        weekly(List.of("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"), "02:00", 1500, "UTC"),
                        "longer than the window's period (PT24H"),
                new Case(
                        new UpdateWindow(null, null, "0 * * * *", "PT2H", "UTC"),
                        "longer than the window's period (PT1H"));
        for (Case c : cases) {
            assertThatThrownBy(() -> Schedule.of(List.of(c.window())))
                    .as(c.reason())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("windows[0]: ")
                    .hasMessageContaining(c.reason());
        }
        // A weekly window of a whole week is allowed; Mondays and Thursdays allow three days.
        Schedule.of(List.of(weekly(List.of("MON"), "00:00", 10080, "UTC")));
        Schedule.of(List.of(weekly(List.of("MON", "THU"), "00:00", 3 * 1440, "UTC")));
        assertThatThrownBy(() -> Schedule.of(List.of(weekly(List.of("MON", "THU"), "00:00", 3 * 1440 + 1, "UTC"))))
                .hasMessageContaining("longer than the window's period (PT72H");
    }
}
