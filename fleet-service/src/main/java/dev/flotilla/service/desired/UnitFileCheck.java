package dev.flotilla.service.desired;

/** What a unit file must look like before Flotilla sends it anywhere. */
final class UnitFileCheck {
    static final int MAX_BYTES = 64 * 1024;

    private UnitFileCheck() {}

    /** Why the content is refused, or {@code null}. */
    static String invalid(String content) {
        if (content == null || content.isBlank()) {
            return "content is required";
        }
        if (content.length() > MAX_BYTES) {
            return "a unit file may not exceed " + MAX_BYTES + " characters";
        }
        if (content.indexOf('\0') >= 0) {
            return "a unit file may not contain NUL characters";
        }
        boolean inSection = false;
        int lineNo = 0;
        for (String line : content.split("\n", -1)) {
            lineNo++;
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#") || l.startsWith(";")) {
                continue;
            }
            if (l.startsWith("[")) {
                if (!l.matches("\\[[A-Za-z][A-Za-z0-9-]*\\]")) {
                    return "line " + lineNo + ": malformed section header";
                }
                inSection = true;
            } else if (!inSection) {
                return "line " + lineNo + ": a setting before any [Section]";
            } else if (!l.contains("=") && !line.startsWith(" ") && !line.startsWith("\t")) {
                return "line " + lineNo + ": expected Key=Value";
            }
        }
        return inSection ? null : "a unit file needs at least one [Section]";
    }
}
