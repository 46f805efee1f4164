package dev.flotilla.agent;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import dev.flotilla.api.protocol.Facts;

/** Reads what the host is made of from /proc, /etc and the JVM. */
final class HostFacts {
    private static final Pattern MACHINE_ID = Pattern.compile("[0-9a-f]{32}");

    private HostFacts() {}

    static String machineId(Path file) throws IOException {
        String id = Files.readString(file, StandardCharsets.US_ASCII).strip();
        if (!MACHINE_ID.matcher(id).matches()) {
            throw new IOException(file + " does not hold a machine id (32 lowercase hex digits)");
        }
        return id;
    }

    static String hostname() {
        String name = read(Path.of("/proc/sys/kernel/hostname"));
        if (name == null || name.isBlank()) {
            try {
                name = InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                name = "localhost";
            }
        }
        return name.strip();
    }

    static Facts collect() {
        Map<String, String> os = osRelease();
        return new Facts(
                new Facts.OsRelease(os.get("ID"), os.get("VERSION_ID"), os.get("PRETTY_NAME")),
                strip(read(Path.of("/proc/sys/kernel/osrelease"))),
                architecture(),
                Runtime.getRuntime().availableProcessors(),
                memoryBytes(),
                addresses(),
                strip(read(Path.of("/proc/sys/kernel/random/boot_id"))));
    }

    static Map<String, String> osRelease() {
        String text = read(Path.of("/etc/os-release"));
        if (text == null) {
            text = read(Path.of("/usr/lib/os-release"));
        }
        Map<String, String> out = new HashMap<>();
        if (text == null) {
            return out;
        }
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.startsWith("#")) {
                String v = line.substring(eq + 1).strip();
                if (v.length() >= 2 && (v.startsWith("\"") || v.startsWith("'")) && v.endsWith(v.substring(0, 1))) {
                    v = v.substring(1, v.length() - 1);
                }
                out.put(line.substring(0, eq).strip(), v);
            }
        }
        return out;
    }

    private static String architecture() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64" -> "x86_64";
            case "arm64" -> "aarch64";
            default -> arch;
        };
    }

    private static long memoryBytes() {
        String meminfo = read(Path.of("/proc/meminfo"));
        if (meminfo != null) {
            for (String line : meminfo.split("\n")) {
                if (line.startsWith("MemTotal:")) {
                    String kb = line.replaceAll("[^0-9]", "");
                    return Long.parseLong(kb) * 1024;
                }
            }
        }
        return 0;
    }

    private static List<String> addresses() {
        List<String> out = new ArrayList<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    String s = a.getHostAddress();
                    int scope = s.indexOf('%');
                    out.add(scope < 0 ? s : s.substring(0, scope));
                }
            }
        } catch (SocketException e) {
            // no addresses is a fact too
        }
        return out.stream().distinct().sorted().limit(64).toList();
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }

    private static String strip(String s) {
        return s == null ? null : s.strip();
    }
}
