package dev.flotilla.api.selector;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A label selector in the Kubernetes syntax: clauses separated by commas, all of which must hold.
 *
 * <pre>
 *   region=eu            region == eu      region != eu
 *   role in (web,db)     role notin (db)
 *   gpu                  !gpu              (has, has not)
 * </pre>
 *
 * The empty selector matches every machine. Anything else is a {@link SelectorSyntaxException}.
 */
public final class LabelSelector {
    private static final LabelSelector EVERYTHING = new LabelSelector(List.of());

    private final List<Requirement> requirements;

    private LabelSelector(List<Requirement> requirements) {
        this.requirements = List.copyOf(requirements);
    }

    /** The selector that matches everything. */
    public static LabelSelector everything() {
        return EVERYTHING;
    }

    /**
     * Parses a selector.
     *
     * @throws SelectorSyntaxException when the text is not a valid selector
     */
    public static LabelSelector parse(String text) {
        if (text == null || text.isBlank()) {
            return EVERYTHING;
        }
        if (text.length() > 4096) {
            throw new SelectorSyntaxException("selector longer than 4096 characters", 4096);
        }
        return new LabelSelector(new Parser(text).parse());
    }

    /** The clauses, in the order written. */
    public List<Requirement> requirements() {
        return requirements;
    }

    /** Whether the selector matches every label set. */
    public boolean isEmpty() {
        return requirements.isEmpty();
    }

    /** Whether a machine with these labels is selected. */
    public boolean matches(Map<String, String> labels) {
        for (Requirement r : requirements) {
            if (!r.matches(labels)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return requirements.stream().map(LabelSelector::format).collect(Collectors.joining(","));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LabelSelector other && requirements.equals(other.requirements);
    }

    @Override
    public int hashCode() {
        return requirements.hashCode();
    }

    private static String format(Requirement r) {
        String values = r.values().stream().sorted().collect(Collectors.joining(","));
        return switch (r.operator()) {
            case EXISTS -> r.key();
            case NOT_EXISTS -> "!" + r.key();
            case EQUALS -> r.key() + "=" + values;
            case NOT_EQUALS -> r.key() + "!=" + values;
            case IN -> r.key() + " in (" + values + ")";
            case NOT_IN -> r.key() + " notin (" + values + ")";
        };
    }

    private static final class Parser {
        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        List<Requirement> parse() {
            List<Requirement> out = new ArrayList<>();
            do {
                out.add(requirement());
                skipSpace();
            } while (eat(','));
            skipSpace();
            if (pos < s.length()) {
                throw error("unexpected '" + s.charAt(pos) + "'");
            }
            return out;
        }

        private Requirement requirement() {
            skipSpace();
            if (eat('!')) {
                skipSpace();
                return new Requirement(key(), Requirement.Operator.NOT_EXISTS, Set.of());
            }
            String key = key();
            skipSpace();
            if (eat('!')) {
                expect('=');
                return new Requirement(key, Requirement.Operator.NOT_EQUALS, Set.of(value()));
            }
            if (eat('=')) {
                eat('=');
                return new Requirement(key, Requirement.Operator.EQUALS, Set.of(value()));
            }
            if (word("notin")) {
                return new Requirement(key, Requirement.Operator.NOT_IN, valueSet());
            }
            if (word("in")) {
                return new Requirement(key, Requirement.Operator.IN, valueSet());
            }
            if (pos < s.length() && s.charAt(pos) != ',') {
                throw error("expected an operator (=, ==, !=, in, notin) after '" + key + "'");
            }
            return new Requirement(key, Requirement.Operator.EXISTS, Set.of());
        }

        private Set<String> valueSet() {
            skipSpace();
            expect('(');
            Set<String> values = new LinkedHashSet<>();
            do {
                values.add(value());
                skipSpace();
            } while (eat(','));
            expect(')');
            return values;
        }

        private String key() {
            int start = pos;
            while (pos < s.length() && isKeyChar(s.charAt(pos))) {
                pos++;
            }
            String key = s.substring(start, pos);
            if (key.isEmpty()) {
                throw error(
                        pos < s.length()
                                ? "expected a label key, got '" + s.charAt(pos) + "'"
                                : "expected a label key");
            }
            if (!Labels.isValidKey(key)) {
                throw new SelectorSyntaxException("invalid label key '" + Labels.abbreviate(key) + "'", start);
            }
            return key;
        }

        private String value() {
            skipSpace();
            int start = pos;
            while (pos < s.length() && isValueChar(s.charAt(pos))) {
                pos++;
            }
            String value = s.substring(start, pos);
            if (value.isEmpty()) {
                throw error(
                        pos < s.length()
                                ? "expected a label value, got '" + s.charAt(pos) + "'"
                                : "expected a label value");
            }
            if (!Labels.isValidValue(value)) {
                throw new SelectorSyntaxException("invalid label value '" + Labels.abbreviate(value) + "'", start);
            }
            return value;
        }

        private boolean word(String w) {
            int end = pos + w.length();
            if (s.startsWith(w, pos) && (end == s.length() || !isKeyChar(s.charAt(end)))) {
                pos = end;
                return true;
            }
            return false;
        }

        private boolean eat(char c) {
            if (pos < s.length() && s.charAt(pos) == c) {
                pos++;
                return true;
            }
            return false;
        }

        private void expect(char c) {
            skipSpace();
            if (!eat(c)) {
                throw error("expected '" + c + "'");
            }
        }

        private void skipSpace() {
            while (pos < s.length() && s.charAt(pos) == ' ') {
                pos++;
            }
        }

        private SelectorSyntaxException error(String message) {
            return new SelectorSyntaxException(message, pos);
        }

        private static boolean isKeyChar(char c) {
            return isValueChar(c) || c == '/';
        }

        private static boolean isValueChar(char c) {
            return (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '.'
                    || c == '-'
                    || c == '_';
        }
    }
}
