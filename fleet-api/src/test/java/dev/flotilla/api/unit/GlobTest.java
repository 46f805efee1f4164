package dev.flotilla.api.unit;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** Go's path.Match cases (its own test table, where they apply to unit names), and the bounds. */
class GlobTest {
    @ParameterizedTest(name = "{0} ~ {1} = {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "abc|abc|true",
                "*|abc|true",
                "*c|abc|true",
                "a*|a|true",
                "a*|abc|true",
                "a*|ab/c|false",
                "a*/b|abc/b|true",
                "a*/b|a/c/b|false",
                "a*b*c*d*e*/f|axbxcxdxe/f|true",
                "a*b*c*d*e*/f|axbxcxdxexxx/f|true",
                "a*b*c*d*e*/f|axbxcxdxe/xxx/f|false",
                "a*b*c*d*e*/f|axbxcxdxexxx/fff|false",
                "a*b?c*x|abxbbxdbxebxczzx|true",
                "a*b?c*x|abxbbxdbxebxczzy|false",
                "ab[c]|abc|true",
                "ab[b-d]|abc|true",
                "ab[e-g]|abc|false",
                "ab[^c]|abc|false",
                "ab[^b-d]|abc|false",
                "ab[^e-g]|abc|true",
                "a\\*b|a*b|true",
                "a\\*b|ab|false",
                "a?b|a☺b|true",
                "a[^a]b|a☺b|true",
                "a???b|a☺b|false",
                // Go negates a class with '^' only: [!a] is the class of '!' and 'a'.
                "a[!a]b|a☺b|false",
                "a[!a]b|a!b|true",
                "[a-ζ]*|α|true",
                "*[a-ζ]|A|false",
                "a?b|a/b|false",
                "a*b|a/b|false",
                "[\\]a]|]|true",
                "[\\-]|-|true",
                "[x\\-]|x|true",
                "[x\\-]|-|true",
                "[x\\-]|z|false",
                "[\\-x]|x|true",
                "[]a]|]|false",
                "[|a|false",
                "[a-|a|false",
                "a[|a|false",
                "*x|xxx|true",
                "web@*.service|web@1.service|true",
                "web@*.service|web.service|false",
                "*.service|x.socket|false",
                "''|x|false",
                "''|''|true",
            })
    void shouldMatchAsGoPathMatch(String pattern, String name, boolean match) {
        String n = name.equals("''") ? "" : name;
        assertThat(Glob.matches(pattern, n)).isEqualTo(match);
    }

    @Test
    void shouldMatchAPathologicalPatternAtOnce() {
        // With the JDK's glob matcher this never answered (exponential backtracking).
        String name = "a".repeat(200);
        assertTimeoutPreemptively(
                Duration.ofSeconds(2),
                () -> assertThat(Glob.matches("*a*a*a*a*a*a*a*a*a*a*a*a*b", name))
                        .isFalse());
        assertThat(Glob.matches("*a*a*a*a*a*a*a*a*a*a*a*a*", name)).isTrue();
    }

    @Test
    void shouldRefuseLongPatternsAndManyWildcards() {
        assertThat(Glob.problem("web@*.service")).isNull();
        assertThat(Glob.problem("x".repeat(256))).isEqualTo("pattern longer than 255 characters");
        assertThat(Glob.problem("*a".repeat(17))).isEqualTo("pattern with more than 16 wildcards");
        assertThat(Glob.problem("[abc")).isEqualTo("malformed pattern [abc");
    }

    @Test
    void shouldRefuseAUnitWithAPathologicalConflict() {
        UnitFile f = UnitFile.parse("[Service]\nExecStart=/bin/true\n[X-Fleet]\nConflicts=" + "*a".repeat(20) + "\n");
        assertThat(FleetRequirements.of(f, "x.service").problem())
                .isEqualTo("Conflicts: pattern with more than 16 wildcards");
        UnitFile peer =
                UnitFile.parse("[Service]\nExecStart=/bin/true\n[X-Fleet]\nMachineOf=" + "p".repeat(300) + "\n");
        assertThat(FleetRequirements.of(peer, "x.service").problem())
                .isEqualTo("MachineOf: unit name longer than 255 characters");
        UnitFile many =
                UnitFile.parse("[Service]\nExecStart=/bin/true\n[X-Fleet]\n" + "Conflicts=a.service\n".repeat(65));
        assertThat(FleetRequirements.of(many, "x.service").problem())
                .isEqualTo("Conflicts and Replaces: more than 64 patterns");
    }
}
