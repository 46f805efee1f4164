package dev.flotilla.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's configuration table and application.properties say the same: every {@code
 * flotilla.*} property set or documented in the file has a row, every row names a property of the
 * file, and where the file sets a default the row shows that default (and the environment
 * variable, when the file reads one). Plain file reading: nothing boots.
 */
class ConfigurationDocsTest {
    private static final Path PROPERTIES = Path.of("src/main/resources/application.properties");
    private static final Path README = Path.of("../README.md");

    /** A property as the file has it: its default (null when only documented) and its variable. */
    record Setting(String defaultValue, String env) {}

    static Map<String, Setting> properties() throws IOException {
        Pattern set = Pattern.compile("^(flotilla\\.[\\w.-]+)=(.*)$");
        Pattern documented = Pattern.compile("^# (flotilla\\.[\\w.-]+)[: (]");
        Pattern env = Pattern.compile("^\\$\\{(\\w+):(.*)}$");
        Map<String, Setting> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(PROPERTIES)) {
            Matcher m = set.matcher(line);
            if (m.matches()) {
                Matcher e = env.matcher(m.group(2));
                out.put(m.group(1), e.matches() ? new Setting(e.group(2), e.group(1)) : new Setting(m.group(2), null));
                continue;
            }
            Matcher d = documented.matcher(line);
            if (d.find()) {
                out.putIfAbsent(d.group(1), new Setting(null, null));
            }
        }
        return out;
    }

    /** The rows of the README's configuration table that name a {@code flotilla.*} property. */
    static Map<String, List<String>> readmeRows() throws IOException {
        String readme = Files.readString(README);
        int start = readme.indexOf("\n## Configuration");
        int end = readme.indexOf("\n## ", start + 1);
        Pattern row = Pattern.compile("^\\| `(flotilla\\.[\\w.-]+)`([^|]*)\\|([^|]*)\\|", Pattern.MULTILINE);
        Map<String, List<String>> out = new LinkedHashMap<>();
        Matcher m = row.matcher(readme.substring(start, end));
        while (m.find()) {
            out.put(m.group(1), List.of(m.group(2).trim(), m.group(3).trim()));
        }
        return out;
    }

    @Test
    void shouldDocumentEveryPropertyInTheReadmeWithItsDefault() throws IOException {
        Map<String, Setting> file = properties();
        Map<String, List<String>> rows = readmeRows();
        assertThat(file).as("application.properties").isNotEmpty();
        assertThat(rows.keySet())
                .as("properties in the README's table")
                .containsExactlyInAnyOrderElementsOf(file.keySet());
        file.forEach((key, setting) -> {
            List<String> row = rows.get(key);
            if (setting.defaultValue() != null) {
                assertThat(row.get(1).replace("`", ""))
                        .as("README default of " + key)
                        .isEqualTo(setting.defaultValue());
            }
            if (setting.env() != null) {
                assertThat(row.get(0)).as("README variable of " + key).contains(setting.env());
            }
        });
    }
}
