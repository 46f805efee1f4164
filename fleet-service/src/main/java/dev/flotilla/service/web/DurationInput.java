package dev.flotilla.service.web;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A duration as people type it into the dashboard ({@code 4h}, {@code 90 min}, {@code 1 h 30 min},
 * {@code 2 days}) in the API's one form, ISO-8601 ({@code PT4H}), for the service to check with its
 * own rules and words. It reads what {@code TemplateExtensions.duration} writes. Pure code.
 */
final class DurationInput {
    private static final Pattern PART = Pattern.compile(
            "\\s*(\\d{1,6})\\s*(days?|d|hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)(?![a-z])\\s*,?\\s*(and\\s+)?");

    private DurationInput() {}

    /**
     * {@code text} as an ISO-8601 duration; null when blank; unchanged when it is ISO-8601 already
     * or not a duration at all (the service's check then says why it is refused).
     */
    static String iso(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.startsWith("p")) {
            return text.strip();
        }
        Matcher m = PART.matcher(t);
        Duration d = Duration.ZERO;
        int at = 0;
        while (at < t.length() && m.find(at) && m.start() == at) {
            long n = Long.parseLong(m.group(1));
            d = d.plus(
                    switch (m.group(2).charAt(0)) {
                        case 'd' -> Duration.ofDays(n);
                        case 'h' -> Duration.ofHours(n);
                        case 'm' -> Duration.ofMinutes(n);
                        default -> Duration.ofSeconds(n);
                    });
            at = m.end();
        }
        return at == t.length() && at > 0 ? d.toString() : text.strip();
    }
}
