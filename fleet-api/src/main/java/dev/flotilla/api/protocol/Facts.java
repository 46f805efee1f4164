package dev.flotilla.api.protocol;

import java.util.List;

/**
 * What a host is made of, as its agent sees it.
 *
 * @param os the operating system from {@code /etc/os-release}
 * @param kernel the kernel release ({@code uname -r})
 * @param architecture the machine hardware name ({@code uname -m}), e.g. {@code x86_64}
 * @param cpus logical CPUs
 * @param memoryBytes total memory
 * @param addresses the host's IP addresses, loopback excluded
 * @param bootId {@code /proc/sys/kernel/random/boot_id}: changes at every boot
 */
public record Facts(
        OsRelease os,
        String kernel,
        String architecture,
        int cpus,
        long memoryBytes,
        List<String> addresses,
        String bootId) {
    public Facts {
        addresses = addresses == null ? List.of() : List.copyOf(addresses);
    }

    /**
     * The fields of {@code /etc/os-release} that matter to a fleet.
     *
     * @param id e.g. {@code debian}, {@code flatcar}
     * @param versionId e.g. {@code 12}
     * @param prettyName e.g. {@code Debian GNU/Linux 12 (bookworm)}
     */
    public record OsRelease(String id, String versionId, String prettyName) {}
}
