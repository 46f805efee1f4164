package dev.flotilla.api.protocol;

/** Constants of the agent protocol that both ends must agree on. */
public final class Protocol {
    /**
     * The protocol version this build speaks; both sides speak the lower of the two. 2 added
     * credential rotation ({@link NewCredential}, {@link CredentialSaved}): the service sends it
     * only to agents that said 2 or more.
     */
    public static final int VERSION = 2;

    /** Where the agent opens its WebSocket. */
    public static final String CONNECT_PATH = "/agent/v1/connect";

    /** Where the agent exchanges an enrollment token for a machine credential. */
    public static final String ENROLL_PATH = "/agent/v1/enroll";

    /** Largest frame either side accepts; a bigger one closes the connection (1009). */
    public static final int MAX_FRAME_BYTES = 1024 * 1024;

    /** Close code for a frame that is not valid JSON or not a known frame. */
    public static final short CLOSE_BAD_FRAME = 4400;

    /** Close code for a missing, wrong or revoked credential. */
    public static final short CLOSE_UNAUTHORIZED = 4401;

    /** Close code when the same machine connected again elsewhere and this session is replaced. */
    public static final short CLOSE_REPLACED = 4409;

    /**
     * Close code: the agent sent frames faster than its limits (frames a second, or bytes waiting to
     * be stored); the reason says which. The agent reconnects with its backoff and resends what was
     * not acknowledged, so nothing is lost.
     */
    public static final short CLOSE_TOO_FAST = 4429;

    /**
     * Close code: the service cannot take this connection now (WebSocket's "try again later");
     * the reason may end with {@link #RETRY_AFTER}{@code N}, the seconds to wait before coming back.
     */
    public static final short CLOSE_TRY_AGAIN_LATER = 1013;

    /** In a close reason: {@code retry-after=N}, come back after N seconds. */
    public static final String RETRY_AFTER = "retry-after=";

    /**
     * The seconds a close reason asks to wait ({@code ...; retry-after=7}), or -1 when it asks
     * nothing (or something unreadable, or more than an hour).
     */
    public static int retryAfterSeconds(String reason) {
        if (reason == null) {
            return -1;
        }
        int i = reason.lastIndexOf(RETRY_AFTER);
        if (i < 0) {
            return -1;
        }
        String digits = reason.substring(i + RETRY_AFTER.length()).strip();
        if (digits.isEmpty() || digits.length() > 4 || !digits.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        int n = Integer.parseInt(digits);
        return n <= 3600 ? n : -1;
    }

    private Protocol() {}
}
