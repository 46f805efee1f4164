package dev.flotilla.api.selector;

import java.util.Map;
import java.util.Set;

/**
 * One clause of a {@link LabelSelector}.
 *
 * @param key the label key
 * @param operator how the label is compared
 * @param values the values compared against; empty for {@link Operator#EXISTS} and {@link
 *     Operator#NOT_EXISTS}, one value for {@link Operator#EQUALS} and {@link Operator#NOT_EQUALS}
 */
public record Requirement(String key, Operator operator, Set<String> values) {
    public Requirement {
        values = Set.copyOf(values);
    }

    /** Whether a machine with these labels satisfies this clause. */
    public boolean matches(Map<String, String> labels) {
        String value = labels.get(key);
        return switch (operator) {
            case EXISTS -> value != null;
            case NOT_EXISTS -> value == null;
            case EQUALS, IN -> value != null && values.contains(value);
            case NOT_EQUALS, NOT_IN -> value == null || !values.contains(value);
        };
    }

    /** The comparison a requirement makes. */
    public enum Operator {
        EQUALS,
        NOT_EQUALS,
        IN,
        NOT_IN,
        EXISTS,
        NOT_EXISTS
    }
}
