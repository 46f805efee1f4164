package dev.flotilla.service.common;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * An opaque pagination cursor: the sort key of the last item of a page, so that the next page
 * starts after it even when rows are added or removed meanwhile (keyset pagination).
 */
public final class Cursor {
    private static final char SEP = '\u001f';
    /** Longer than any cursor {@link #encode} makes of the keys Flotilla pages by. */
    private static final int MAX_LENGTH = 1024;

    private Cursor() {}

    public static String encode(String... parts) {
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(String.join(String.valueOf(SEP), parts).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @throws ProblemException 400 when the cursor was not made by {@link #encode}
     */
    public static List<String> decode(String cursor, int parts) {
        if (cursor.length() > MAX_LENGTH) {
            throw ProblemException.badRequest("invalid cursor");
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            List<String> out = List.of(text.split(String.valueOf(SEP), -1));
            if (out.size() != parts || text.indexOf('\0') >= 0 || text.indexOf('\ufffd') >= 0) {
                // Not ours: a cursor of ours never holds NUL or bytes that are not UTF-8.
                throw ProblemException.badRequest("invalid cursor");
            }
            return out;
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("invalid cursor");
        }
    }

    /**
     * For lists newest first by sequence number: the sequence number to continue below, {@link
     * Long#MAX_VALUE} without a cursor.
     *
     * @throws ProblemException 400 when the cursor was not made by {@link #encode}
     */
    public static long beforeSeq(String cursor) {
        if (cursor == null || cursor.isBlank()) {
            return Long.MAX_VALUE;
        }
        try {
            return Long.parseLong(decode(cursor, 1).get(0));
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest("invalid cursor");
        }
    }
}
