package dev.flotilla.cli;

import java.util.List;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;

/** A unified diff of two versions of a unit file, as {@code diff -u} prints it. */
final class TextDiff {
    private TextDiff() {}

    static String unified(String name, String live, String wanted) {
        List<String> from = (live == null ? "" : live).lines().toList();
        List<String> to = (wanted == null ? "" : wanted).lines().toList();
        List<String> lines = UnifiedDiffUtils.generateUnifiedDiff(
                "live/" + name, "files/" + name, from, DiffUtils.diff(from, to), 3);
        return String.join("\n", lines);
    }
}
