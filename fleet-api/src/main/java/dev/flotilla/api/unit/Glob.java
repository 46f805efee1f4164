package dev.flotilla.api.unit;

/**
 * Go's {@code path.Match}, which fleet used for {@code Conflicts} and {@code Replaces}: {@code *}
 * any run of characters but {@code /}, {@code ?} one such character, {@code [...]} one of a class
 * ({@code a-z} ranges, {@code ^} or {@code !} to negate), {@code \} escapes the next character.
 * A malformed pattern matches nothing.
 *
 * <p>Matched without backtracking beyond the last star, so the time is at most the product of the
 * pattern's and the name's lengths, never exponential: {@code *a*a*a*a*a*a*a*a*a*a*a*a*b} against a
 * long name costs microseconds. (A regular expression or the JDK's glob {@code PathMatcher}, used
 * before, backtracks and could take minutes.) Patterns longer than {@link #MAX_LENGTH} or with
 * more than {@link #MAX_WILDCARDS} wildcards are refused when a unit is checked.
 */
public final class Glob {
    /** The longest pattern a unit may give: systemd's limit on a unit name. */
    public static final int MAX_LENGTH = 255;

    /** The most wildcards ({@code *} and {@code ?}) one pattern may hold. */
    public static final int MAX_WILDCARDS = 16;

    /** The most patterns ({@code Conflicts} and {@code Replaces} together, or {@code MachineOf}) one unit may give. */
    public static final int MAX_PATTERNS = 64;

    private Glob() {}

    /** Whether {@code name} matches {@code pattern} (false for a malformed pattern). */
    public static boolean matches(String pattern, String name) {
        if (!wellFormed(pattern)) {
            return false;
        }
        int p = 0;
        int n = 0;
        int starP = -1; // the pattern position after the last star seen
        int starN = -1; // the name position that star is currently made to end at
        while (n < name.length()) {
            if (p < pattern.length() && pattern.charAt(p) == '*') {
                starP = ++p;
                starN = n;
                continue;
            }
            int step = p < pattern.length() ? matchOne(pattern, p, name.charAt(n)) : -1;
            if (step > 0) {
                p += step;
                n++;
                continue;
            }
            // Mismatch: let the last star take one more character (never a '/'), else fail.
            if (starP >= 0 && name.charAt(starN) != '/') {
                p = starP;
                n = ++starN;
                continue;
            }
            return false;
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }

    /** Why the pattern is refused (too long, too many wildcards, malformed), or null. */
    public static String problem(String pattern) {
        if (pattern.length() > MAX_LENGTH) {
            return "pattern longer than " + MAX_LENGTH + " characters";
        }
        long wildcards = pattern.chars().filter(c -> c == '*' || c == '?').count();
        if (wildcards > MAX_WILDCARDS) {
            return "pattern with more than " + MAX_WILDCARDS + " wildcards";
        }
        if (!wellFormed(pattern)) {
            return "malformed pattern " + pattern;
        }
        return null;
    }

    /**
     * Matches the one pattern element at {@code p} against {@code c}: the pattern characters it
     * took when it matched, else 0 (no match) or -1 (nothing to match there).
     */
    private static int matchOne(String pattern, int p, char c) {
        char pc = pattern.charAt(p);
        switch (pc) {
            case '?':
                return c == '/' ? 0 : 1;
            case '\\':
                return pattern.charAt(p + 1) == c ? 2 : 0;
            case '[':
                int end = classEnd(pattern, p);
                return inClass(pattern, p + 1, end, c) ? end + 1 - p : 0;
            default:
                return pc == c ? 1 : 0;
        }
    }

    /**
     * The index of the {@code ]} that closes the class opened at {@code open}, or -1 when it is
     * not closed or empty (as in Go, {@code []a]} is malformed: escape a {@code ]} inside a class).
     */
    private static int classEnd(String pattern, int open) {
        int i = open + 1;
        // Only '^' negates, as in Go's path.Match; a '!' is a character of the class.
        if (i < pattern.length() && pattern.charAt(i) == '^') {
            i++;
        }
        int first = i;
        while (i < pattern.length()) {
            char c = pattern.charAt(i);
            if (c == ']') {
                return i == first ? -1 : i;
            }
            if (c == '\\') {
                i++;
            }
            i++;
        }
        return -1;
    }

    private static boolean inClass(String pattern, int from, int end, char c) {
        boolean negated = pattern.charAt(from) == '^';
        int i = negated ? from + 1 : from;
        boolean found = false;
        while (i < end) {
            char lo = pattern.charAt(i);
            if (lo == '\\') {
                lo = pattern.charAt(++i);
            }
            i++;
            char hi = lo;
            if (i + 1 < end && pattern.charAt(i) == '-') {
                hi = pattern.charAt(i + 1);
                if (hi == '\\') {
                    hi = pattern.charAt(i + 2);
                    i++;
                }
                i += 2;
            }
            if (lo <= c && c <= hi) {
                found = true;
            }
        }
        return found != negated && c != '/';
    }

    /** Every class closed and non-empty, no trailing backslash. */
    private static boolean wellFormed(String pattern) {
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\') {
                if (i + 1 >= pattern.length()) {
                    return false;
                }
                i++;
            } else if (c == '[') {
                int end = classEnd(pattern, i);
                if (end < 0) {
                    return false;
                }
                i = end;
            }
        }
        return true;
    }
}
