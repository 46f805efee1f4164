package dev.flotilla.cli;

import java.util.ArrayList;
import java.util.List;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * A fish completion script made from the command tree itself (picocli generates only bash's), so
 * that every command and option added later is completed without touching this class. Global
 * (inherited) options are completed once, everywhere; a command's own options after its name.
 */
final class FishCompletion {
    private FishCompletion() {}

    static String script(String name, CommandSpec root) {
        StringBuilder sb = new StringBuilder();
        sb.append("# fish completion for ")
                .append(name)
                .append(": ")
                .append(name)
                .append(" completion fish | source\n");
        sb.append("complete -c ").append(name).append(" -e\n");
        for (OptionSpec o : root.options()) {
            option(sb, name, "", o);
        }
        commands(sb, name, root, List.of());
        return sb.toString();
    }

    /** The subcommands of the command at {@code path}, then each one's own options and subcommands. */
    private static void commands(StringBuilder sb, String name, CommandSpec spec, List<String> path) {
        List<String> subs = new ArrayList<>();
        spec.subcommands().forEach((n, line) -> {
            if (line.getCommandSpec().name().equals(n)) {
                subs.add(n);
            }
        });
        if (subs.isEmpty()) {
            return;
        }
        String here = path.isEmpty() ? "__fish_use_subcommand" : seen(path) + "; and not " + seenAny(subs);
        for (String sub : subs) {
            CommandSpec s = spec.subcommands().get(sub).getCommandSpec();
            sb.append("complete -c ")
                    .append(name)
                    .append(" -f -n '")
                    .append(here)
                    .append("' -a ")
                    .append(quote(sub))
                    .append(" -d ")
                    .append(quote(summary(s)))
                    .append('\n');
        }
        for (String sub : subs) {
            CommandSpec s = spec.subcommands().get(sub).getCommandSpec();
            List<String> deeper = new ArrayList<>(path);
            deeper.add(sub);
            for (OptionSpec o : s.options()) {
                if (!o.inherited()) {
                    option(sb, name, seen(deeper), o);
                }
            }
            for (PositionalParamSpec p : s.positionalParameters()) {
                if (p.completionCandidates() != null) {
                    sb.append("complete -c ")
                            .append(name)
                            .append(" -f -n '")
                            .append(seen(deeper))
                            .append("' -a ")
                            .append(quote(String.join(" ", p.completionCandidates())))
                            .append('\n');
                }
            }
            commands(sb, name, s, deeper);
        }
    }

    private static void option(StringBuilder sb, String name, String condition, OptionSpec o) {
        if (o.hidden()) {
            return;
        }
        sb.append("complete -c ").append(name);
        if (!condition.isEmpty()) {
            sb.append(" -n '").append(condition).append('\'');
        }
        for (String n : o.names()) {
            if (n.startsWith("--")) {
                sb.append(" -l ").append(n.substring(2));
            } else if (n.startsWith("-") && n.length() == 2) {
                sb.append(" -s ").append(n.substring(1));
            }
        }
        if (o.arity().max() > 0) {
            sb.append(" -r");
            if (o.completionCandidates() != null) {
                sb.append(" -f -a ").append(quote(String.join(" ", o.completionCandidates())));
            }
        }
        String d = o.description().length == 0 ? "" : o.description()[0];
        if (!d.isEmpty()) {
            sb.append(" -d ").append(quote(firstSentence(d)));
        }
        sb.append('\n');
    }

    /** fish's test that each command of {@code path} was typed. */
    private static String seen(List<String> path) {
        List<String> tests = new ArrayList<>();
        for (String p : path) {
            tests.add("__fish_seen_subcommand_from " + p);
        }
        return String.join("; and ", tests);
    }

    private static String seenAny(List<String> names) {
        return "__fish_seen_subcommand_from " + String.join(" ", names);
    }

    private static String summary(CommandSpec s) {
        String[] d = s.usageMessage().description();
        return d.length == 0 ? "" : firstSentence(d[0]);
    }

    private static String firstSentence(String text) {
        String plain = CommandLine.Help.Ansi.OFF.string(text).replaceAll("\\$\\{[^}]*}", "");
        // A sentence ends at a full stop before a capital, not at "e.g. role".
        return plain.split("\\.\\s+(?=[A-Z])", 2)[0].replaceAll("\\.$", "");
    }

    /** A fish single-quoted word: only \ and ' are special inside. */
    private static String quote(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
