package dev.flotilla.api.selector;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The syntax of label keys and values, as Kubernetes has it: a key is an optional DNS-style
 * prefix and a slash, then a name of at most 63 characters; a value is at most 63 characters.
 * Both use letters, digits, {@code -}, {@code _} and {@code .}, beginning and ending with a
 * letter or digit. Nothing else gets into a label, so labels are safe in URLs, shells and logs.
 */
public final class Labels {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?");
    private static final Pattern PREFIX =
            Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

    /** Most labels one machine may carry. */
    public static final int MAX_LABELS = 64;

    private Labels() {}

    /** Whether {@code key} is a valid label key. */
    public static boolean isValidKey(String key) {
        if (key == null || key.isEmpty()) {
            return false;
        }
        int slash = key.indexOf('/');
        if (slash < 0) {
            return NAME.matcher(key).matches();
        }
        String prefix = key.substring(0, slash);
        return prefix.length() <= 253
                && PREFIX.matcher(prefix).matches()
                && NAME.matcher(key.substring(slash + 1)).matches();
    }

    /** Whether {@code value} is a valid label value. The empty value is allowed. */
    public static boolean isValidValue(String value) {
        return value != null && (value.isEmpty() || NAME.matcher(value).matches());
    }

    /**
     * Checks a whole label set.
     *
     * @throws IllegalArgumentException naming the first offending key or value
     */
    public static Map<String, String> validate(Map<String, String> labels) {
        if (labels.size() > MAX_LABELS) {
            throw new IllegalArgumentException("at most " + MAX_LABELS + " labels, got " + labels.size());
        }
        for (Map.Entry<String, String> e : labels.entrySet()) {
            if (!isValidKey(e.getKey())) {
                throw new IllegalArgumentException("invalid label key '" + abbreviate(e.getKey()) + "'");
            }
            if (!isValidValue(e.getValue())) {
                throw new IllegalArgumentException(
                        "invalid value '" + abbreviate(e.getValue()) + "' for label '" + e.getKey() + "'");
            }
        }
        return labels;
    }

    /**
     * Parses {@code k=v,k2=v2} as written in an agent's configuration or {@code FLOTILLA_LABELS}.
     *
     * @throws IllegalArgumentException when a pair is malformed or invalid
     */
    public static Map<String, String> parsePairs(String text) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return labels;
        }
        for (String pair : text.split(",")) {
            String p = pair.trim();
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got '" + abbreviate(p) + "'");
            }
            labels.put(p.substring(0, eq).trim(), p.substring(eq + 1).trim());
        }
        return validate(labels);
    }

    static String abbreviate(String s) {
        if (s == null) {
            return "null";
        }
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }
}
