package dev.flotilla.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's module table matches the tree a newcomer finds: the folders it names are the
 * project's folders, the service's feature packages are the ones it lists, and the dashboard's
 * scripts are the ones it lists. Plain file reading: nothing boots.
 */
class ModuleTableTest {
    private static final Path ROOT = Path.of("..");

    static String modulesSection() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        int start = readme.indexOf("\n## Modules");
        return readme.substring(start, readme.indexOf("\n## ", start + 1));
    }

    /** The words in backticks after "{@code label}:" inside the table row of {@code folder}. */
    static List<String> listed(String section, String folder, String label) {
        String row = section.lines()
                .filter(l -> l.startsWith("| `" + folder + "`"))
                .findFirst()
                .orElseThrow();
        Matcher m = Pattern.compile("\\(" + label + ": ([^)]*)\\)").matcher(row);
        assertThat(m.find()).as("the " + folder + " row lists its " + label).isTrue();
        return Arrays.stream(m.group(1).split("\\s+"))
                .map(w -> w.replace("`", ""))
                .toList();
    }

    static List<String> names(Stream<Path> paths) {
        try (paths) {
            return paths.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void shouldNameEveryTopLevelFolderOfTheProject() throws IOException {
        List<String> table = new ArrayList<>();
        Matcher m = Pattern.compile("^\\| `([\\w-]+)/` \\|", Pattern.MULTILINE).matcher(modulesSection());
        while (m.find()) {
            table.add(m.group(1));
        }
        List<String> folders = names(Files.list(ROOT)
                .filter(Files::isDirectory)
                .filter(p -> !p.getFileName().toString().startsWith("."))
                .filter(p -> !p.getFileName().toString().equals("target"))); // build output, ignored by git
        assertThat(table).containsExactlyInAnyOrderElementsOf(folders);
    }

    @Test
    void shouldListTheServicesFeaturePackages() throws IOException {
        List<String> packages =
                names(Files.list(Path.of("src/main/java/dev/flotilla/service")).filter(Files::isDirectory));
        assertThat(listed(modulesSection(), "fleet-service/", "packages"))
                .containsExactlyInAnyOrderElementsOf(packages);
    }

    @Test
    void shouldListTheDashboardsScripts() throws IOException {
        List<String> scripts = names(Files.list(ROOT.resolve("web-ui/src/main/resources/META-INF/resources/static"))
                .filter(p -> p.toString().endsWith(".js")));
        assertThat(listed(modulesSection(), "web-ui/", "scripts")).containsExactlyInAnyOrderElementsOf(scripts);
    }
}
