package dev.flotilla.service.common;

import java.time.Duration;
import java.time.format.DateTimeParseException;

/**
 * Every duration of the REST API has one form: an ISO-8601 duration string ({@code PT30S},
 * {@code PT2H}, {@code P1D}) in a field named for what it measures, without a unit in its name
 * ({@code length}, {@code minHealthy}, {@code updateTimeout}, {@code ttl}). Pure code.
 */
public final class Durations {
    private Durations() {}

    /**
     * {@code text} read as an ISO-8601 duration between {@code min} and {@code max}.
     *
     * @throws ProblemException 400 naming {@code field}, with an example, when it is not one or out
     *     of bounds
     */
    public static Duration parse(String field, String text, Duration min, Duration max) {
        Duration d;
        try {
            d = Duration.parse(text.strip());
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest(field + " must be an ISO-8601 duration such as PT30S, PT1H or P1D, not \""
                    + (text.length() > 40 ? text.substring(0, 40) + "…" : text) + "\"");
        }
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw ProblemException.badRequest(field + " must be between " + min + " and " + max + ", not " + d);
        }
        return d;
    }
}
