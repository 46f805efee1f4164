package dev.flotilla.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time of processes on this machine, read from {@code /proc}, in seconds. */
final class Cpu {
    private Cpu() {}

    /** A process's user and system time; 0 when it is gone. */
    static double secondsOf(long pid) {
        long[] t = times(Path.of("/proc", String.valueOf(pid)));
        return t == null ? 0 : (t[0] + t[1]) / 100.0;
    }

    /**
     * All PostgreSQL processes on this machine: each one's user and system time, plus what their
     * ended children used (the postmaster reaps every backend, so a backend that has ended since
     * still counts). Compare two readings; the difference is what PostgreSQL used between them.
     */
    static double postgresSeconds() {
        long ticks = 0;
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(
                Path.of("/proc"), p -> p.getFileName().toString().chars().allMatch(Character::isDigit))) {
            for (Path p : procs) {
                long[] t = times(p);
                if (t != null && t[4] == 1) {
                    ticks += t[0] + t[1] + t[2] + t[3];
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return ticks / 100.0;
    }

    /** utime, stime, cutime, cstime (clock ticks, 100 a second) and 1 when the command is postgres. */
    private static long[] times(Path proc) {
        try {
            String stat = Files.readString(proc.resolve("stat"), StandardCharsets.US_ASCII);
            String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields after the command: state(0) ... utime(11) stime(12) cutime(13) cstime(14)
            return new long[] {
                Long.parseLong(f[11]),
                Long.parseLong(f[12]),
                Long.parseLong(f[13]),
                Long.parseLong(f[14]),
                comm.equals("postgres") ? 1 : 0
            };
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** This process's resident memory (the swarm's, in the bench), in bytes; 0 when unknown. */
    static long ownRssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }

    /** This process's soft limit of open files (every agent's connection is one); -1 when unknown. */
    static long openFilesLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft =
                            line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
