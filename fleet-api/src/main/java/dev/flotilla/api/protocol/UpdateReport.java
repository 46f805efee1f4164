package dev.flotilla.api.protocol;

/**
 * Agent → service: where this machine's updates stand. {@code complete} and {@code failed} end the
 * machine's lease (complete: steady state after the update and its reboot).
 *
 * @param state {@code idle} (nothing pending), {@code pending}, {@code updating}, {@code rebooting},
 *     {@code complete} or {@code failed}
 * @param pending updates found by the last check
 * @param security how many of them are security updates
 * @param targetVersion the OS version they lead to, when known
 * @param osVersion the OS version running now
 * @param detail for {@code failed}: the tail of the update command's output (at most 4 KiB)
 */
public record UpdateReport(
        String state, Integer pending, Integer security, String targetVersion, String osVersion, String detail)
        implements Frame {}
