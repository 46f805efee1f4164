package dev.flotilla.api.rest;

import java.time.Instant;

/**
 * Whether a machine may update now, and if not, why and when it may.
 *
 * @param policy the policy that applies ({@code default}: always open, one machine at a time)
 * @param state {@code granted} (it holds a lease), {@code ready} (it would get one now), {@code
 *     waiting_for_window}, {@code on_hold} (a limit is reached) or {@code paused}
 * @param reason why, in words
 * @param nextPossibleAt when it may next update, when known (the next window's opening, or when
 *     the period's limit frees a slot); null when now or unknown
 * @param paused updates paused for this machine by hand
 * @param lease its live lease, or null
 * @param progress where its update stands, from its agent's reports and its leases: {@code idle}
 *     (nothing pending), {@code ready} (it would get a lease now), {@code waiting_for_window},
 *     {@code on_hold}, {@code paused}, {@code granted}, {@code updating}, {@code rebooting}, {@code
 *     complete}, {@code failed} or {@code timed_out}
 * @param pending updates its agent found at its last check (null: never reported)
 * @param security how many of them are security updates
 * @param detail for {@code failed}: the tail of the update command's output
 */
public record MachineUpdateView(
        String machineId,
        String policy,
        String state,
        String reason,
        Instant nextPossibleAt,
        boolean paused,
        UpdateLeaseView lease,
        String progress,
        Integer pending,
        Integer security,
        String targetVersion,
        String osVersion,
        String detail,
        Instant reportedAt) {}
