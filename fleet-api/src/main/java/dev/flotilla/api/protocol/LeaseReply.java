package dev.flotilla.api.protocol;

import java.time.Instant;

/**
 * Service → agent: the answer to a {@link LeaseRequest}.
 *
 * @param granted whether the machine may update now
 * @param state {@code granted}, {@code paused}, {@code waiting_for_window} or {@code on_hold}
 * @param reason why, in words
 * @param expiresAt when a granted lease expires (the policy's update timeout)
 */
public record LeaseReply(String requestId, boolean granted, String state, String reason, Instant expiresAt)
        implements Frame {}
