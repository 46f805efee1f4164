package dev.flotilla.api.unit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A systemd unit file as an ordered list of options, read the way systemd (and go-systemd, which
 * fleet used) reads it: {@code [Section]} headers, {@code Name=Value} lines, comments starting with
 * {@code #} or {@code ;}, a trailing backslash continuing a line. Repeated options are kept in
 * order. Fleet's own options live in the {@code [X-Fleet]} section.
 */
public record UnitFile(List<Option> options) {
    /** The largest unit file accepted, in bytes. */
    public static final int MAX_BYTES = 64 * 1024;

    /** systemd's longest line (LONG_LINE_MAX is 1 MiB; go-systemd refused lines over 2048). */
    public static final int MAX_LINE = 2048;

    public UnitFile {
        options = List.copyOf(options);
    }

    /** One {@code Name=Value} line in a section. */
    public record Option(String section, String name, String value) {}

    /** Thrown for text that is not a unit file; the message says where and why. */
    public static final class SyntaxException extends IllegalArgumentException {
        public SyntaxException(String message) {
            super(message);
        }
    }

    /** Parses unit file text. */
    public static UnitFile parse(String text) {
        if (text == null || text.isBlank()) {
            throw new SyntaxException("the unit file is empty");
        }
        if (text.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw new SyntaxException("the unit file is larger than " + MAX_BYTES + " bytes");
        }
        if (text.indexOf('\0') >= 0) {
            throw new SyntaxException("the unit file contains a NUL character");
        }
        List<Option> out = new ArrayList<>();
        String section = null;
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int lineNo = i + 1;
            StringBuilder line = new StringBuilder(lines[i]);
            while (line.length() > 0 && line.charAt(line.length() - 1) == '\\' && i + 1 < lines.length) {
                line.setLength(line.length() - 1);
                line.append(' ').append(lines[++i].strip());
            }
            if (line.length() > MAX_LINE) {
                throw new SyntaxException("line " + lineNo + " is longer than " + MAX_LINE + " characters");
            }
            String l = line.toString().strip();
            if (l.isEmpty() || l.startsWith("#") || l.startsWith(";")) {
                continue;
            }
            if (l.startsWith("[")) {
                if (!l.endsWith("]") || l.length() < 3) {
                    throw new SyntaxException("line " + lineNo + ": a section header must look like [Name]");
                }
                section = l.substring(1, l.length() - 1);
                if (!section.matches("[A-Za-z0-9-]+")) {
                    throw new SyntaxException("line " + lineNo + ": invalid section name '" + section + "'");
                }
                continue;
            }
            int eq = l.indexOf('=');
            if (eq <= 0) {
                throw new SyntaxException("line " + lineNo + ": expected Name=Value");
            }
            if (section == null) {
                throw new SyntaxException("line " + lineNo + ": option outside of any [Section]");
            }
            String name = l.substring(0, eq).strip();
            if (!name.matches("[A-Za-z0-9_-]+")) {
                throw new SyntaxException("line " + lineNo + ": invalid option name '" + name + "'");
            }
            out.add(new Option(section, name, l.substring(eq + 1).strip()));
        }
        if (out.isEmpty()) {
            throw new SyntaxException("the unit file has no options");
        }
        return new UnitFile(out);
    }

    /** Every value of one option, in order. */
    public List<String> values(String section, String name) {
        return options.stream()
                .filter(o -> o.section().equals(section) && o.name().equals(name))
                .map(Option::value)
                .toList();
    }

    /** The file as systemd reads it back, one option per line, sections in order of appearance. */
    public String serialize() {
        StringBuilder sb = new StringBuilder();
        List<String> sections = new ArrayList<>();
        for (Option o : options) {
            if (!sections.contains(o.section())) {
                sections.add(o.section());
            }
        }
        for (String s : sections) {
            if (sb.length() > 0) {
                sb.append('\n');
            }
            sb.append('[').append(s).append("]\n");
            for (Option o : options) {
                if (o.section().equals(s)) {
                    sb.append(o.name()).append('=').append(o.value()).append('\n');
                }
            }
        }
        return sb.toString();
    }

    /** The file without its {@code [X-Fleet]} section: what a machine is given to run. */
    public String systemdContent() {
        return new UnitFile(options.stream()
                        .filter(o -> !o.section().equals(FleetRequirements.SECTION))
                        .toList())
                .serialize();
    }

    /** SHA-1 of the serialized file, as fleet names a unit's content. */
    public String hash() {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-1")
                            .digest(serialize().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
