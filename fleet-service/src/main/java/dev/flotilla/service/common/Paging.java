package dev.flotilla.service.common;

/** The {@code limit} query parameter of every list: 1 to 500, 50 when absent. */
public final class Paging {
    public static final int DEFAULT = 50;
    public static final int MAX = 500;

    private Paging() {}

    public static int limit(String text) {
        if (text == null || text.isBlank()) {
            return DEFAULT;
        }
        try {
            int n = Integer.parseInt(text.trim());
            if (n >= 1 && n <= MAX) {
                return n;
            }
        } catch (NumberFormatException e) {
            // the problem below says what is wanted
        }
        throw ProblemException.badRequest("limit must be a number from 1 to " + MAX);
    }
}
