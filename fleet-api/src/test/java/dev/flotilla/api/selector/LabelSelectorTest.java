package dev.flotilla.api.selector;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.flotilla.api.selector.Requirement.Operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class LabelSelectorTest {

    private static Requirement req(String key, Operator op, String... values) {
        return new Requirement(key, op, Set.of(values));
    }

    private static List<Requirement> parsed(String text) {
        return LabelSelector.parse(text).requirements();
    }

    @Nested
    class Parsing {
        @Test
        void shouldParseEquals() {
            assertThat(parsed("region=eu")).containsExactly(req("region", Operator.EQUALS, "eu"));
        }

        @Test
        void shouldParseDoubleEqualsAsEquals() {
            assertThat(parsed("a==b")).containsExactly(req("a", Operator.EQUALS, "b"));
            assertThat(LabelSelector.parse("a==b")).isEqualTo(LabelSelector.parse("a=b"));
        }

        @Test
        void shouldParseNotEquals() {
            assertThat(parsed("a!=b")).containsExactly(req("a", Operator.NOT_EQUALS, "b"));
        }

        @Test
        void shouldParseIn() {
            assertThat(parsed("role in (web,db)")).containsExactly(req("role", Operator.IN, "web", "db"));
        }

        @Test
        void shouldParseNotIn() {
            assertThat(parsed("role notin (db)")).containsExactly(req("role", Operator.NOT_IN, "db"));
        }

        @Test
        void shouldParseExists() {
            assertThat(parsed("gpu")).containsExactly(req("gpu", Operator.EXISTS));
        }

        @Test
        void shouldParseNotExists() {
            assertThat(parsed("!gpu")).containsExactly(req("gpu", Operator.NOT_EXISTS));
        }

        @Test
        void shouldParseCommaSeparatedClausesInOrder() {
            assertThat(parsed("region=eu,!gpu,role in (web,db),tier!=free,zone notin (a,b),ssd"))
                    .containsExactly(
                            req("region", Operator.EQUALS, "eu"),
                            req("gpu", Operator.NOT_EXISTS),
                            req("role", Operator.IN, "web", "db"),
                            req("tier", Operator.NOT_EQUALS, "free"),
                            req("zone", Operator.NOT_IN, "a", "b"),
                            req("ssd", Operator.EXISTS));
        }

        @Test
        void shouldParsePrefixedKeys() {
            assertThat(parsed("flotilla.dev/started-by=alice"))
                    .containsExactly(req("flotilla.dev/started-by", Operator.EQUALS, "alice"));
        }

        @Test
        void shouldAcceptValuesWithDotsDashesAndUnderscores() {
            assertThat(parsed("version=v1.2-rc_3")).containsExactly(req("version", Operator.EQUALS, "v1.2-rc_3"));
        }

        @Test
        void shouldCollapseDuplicateValuesInASet() {
            assertThat(parsed("a in (b,b,c)")).containsExactly(req("a", Operator.IN, "b", "c"));
        }

        @Test
        void shouldTreatOperatorWordsAsKeysWhereAKeyIsExpected() {
            assertThat(parsed("in")).containsExactly(req("in", Operator.EXISTS));
            assertThat(parsed("in=x")).containsExactly(req("in", Operator.EQUALS, "x"));
            assertThat(parsed("notin in (x)")).containsExactly(req("notin", Operator.IN, "x"));
        }

        @Test
        void shouldAcceptKeyNameOfSixtyThreeCharacters() {
            String key = "k".repeat(63);
            assertThat(parsed(key + "=v")).containsExactly(req(key, Operator.EQUALS, "v"));
        }

        @Test
        void shouldAcceptSelectorOfExactly4096Characters() {
            String selector = "a=" + "v".repeat(63);
            StringBuilder sb = new StringBuilder(selector);
            while (sb.length() + 1 + selector.length() <= 4096) {
                sb.append(',').append(selector);
            }
            while (sb.length() < 4096) {
                sb.append(' ');
            }
            assertThat(sb).hasSize(4096);
            assertThat(LabelSelector.parse(sb.toString()).requirements()).isNotEmpty();
        }
    }

    @Nested
    class Whitespace {
        @ParameterizedTest
        @ValueSource(
                strings = {
                    "region = eu",
                    "  region=eu  ",
                    "region == eu",
                    "region =eu",
                    "region= eu",
                })
        void shouldTolerateSpacesAroundEquals(String text) {
            assertThat(parsed(text)).containsExactly(req("region", Operator.EQUALS, "eu"));
        }

        @Test
        void shouldTolerateSpacesAroundNotEquals() {
            assertThat(parsed("a != b")).containsExactly(req("a", Operator.NOT_EQUALS, "b"));
            assertThat(parsed("a!= b")).containsExactly(req("a", Operator.NOT_EQUALS, "b"));
        }

        @Test
        void shouldTolerateSpacesInsideAndAroundSets() {
            assertThat(parsed("role in ( web , db )")).containsExactly(req("role", Operator.IN, "web", "db"));
            assertThat(parsed("role   in(web,db)")).containsExactly(req("role", Operator.IN, "web", "db"));
            assertThat(parsed("role notin(db)")).containsExactly(req("role", Operator.NOT_IN, "db"));
        }

        @Test
        void shouldTolerateSpacesAroundCommasAndBang() {
            assertThat(parsed("  region = eu ,  ! gpu , role in ( web , db )  "))
                    .containsExactly(
                            req("region", Operator.EQUALS, "eu"),
                            req("gpu", Operator.NOT_EXISTS),
                            req("role", Operator.IN, "web", "db"));
        }

        @ParameterizedTest
        @NullSource
        @ValueSource(strings = {"", " ", "    "})
        void shouldTreatNullEmptyOrBlankAsEverything(String text) {
            LabelSelector selector = LabelSelector.parse(text);
            assertThat(selector.isEmpty()).isTrue();
            assertThat(selector.requirements()).isEmpty();
            assertThat(selector).isEqualTo(LabelSelector.everything());
            assertThat(selector.toString()).isEmpty();
        }
    }

    @Nested
    class Matching {
        private final Map<String, String> web = Map.of("region", "eu", "role", "web", "gpu", "nvidia");
        private final Map<String, String> db = Map.of("region", "us", "role", "db");
        private final Map<String, String> bare = Map.of();

        @Test
        void shouldMatchEverythingWithEmptySelector() {
            assertThat(LabelSelector.everything().matches(web)).isTrue();
            assertThat(LabelSelector.everything().matches(bare)).isTrue();
        }

        @Test
        void shouldMatchEqualsOnlyWhenLabelPresentWithThatValue() {
            LabelSelector s = LabelSelector.parse("region=eu");
            assertThat(s.matches(web)).isTrue();
            assertThat(s.matches(db)).isFalse();
            assertThat(s.matches(bare)).isFalse();
        }

        @Test
        void shouldMatchNotEqualsWhenLabelDiffersOrIsMissing() {
            LabelSelector s = LabelSelector.parse("region!=eu");
            assertThat(s.matches(web)).isFalse();
            assertThat(s.matches(db)).isTrue();
            assertThat(s.matches(bare))
                    .as("!= matches a missing label, as in Kubernetes")
                    .isTrue();
        }

        @Test
        void shouldMatchInOnlyWhenLabelPresentWithOneOfTheValues() {
            LabelSelector s = LabelSelector.parse("role in (web,cache)");
            assertThat(s.matches(web)).isTrue();
            assertThat(s.matches(db)).isFalse();
            assertThat(s.matches(bare)).isFalse();
        }

        @Test
        void shouldMatchNotInWhenLabelHasNoneOfTheValuesOrIsMissing() {
            LabelSelector s = LabelSelector.parse("role notin (db,cache)");
            assertThat(s.matches(web)).isTrue();
            assertThat(s.matches(db)).isFalse();
            assertThat(s.matches(bare))
                    .as("notin matches a missing label, as in Kubernetes")
                    .isTrue();
        }

        @Test
        void shouldMatchExistsRegardlessOfValue() {
            LabelSelector s = LabelSelector.parse("gpu");
            assertThat(s.matches(web)).isTrue();
            assertThat(s.matches(db)).isFalse();
            assertThat(s.matches(Map.of("gpu", ""))).isTrue();
        }

        @Test
        void shouldMatchNotExistsOnlyWhenLabelMissing() {
            LabelSelector s = LabelSelector.parse("!gpu");
            assertThat(s.matches(web)).isFalse();
            assertThat(s.matches(db)).isTrue();
            assertThat(s.matches(bare)).isTrue();
            assertThat(s.matches(Map.of("gpu", ""))).isFalse();
        }

        @Test
        void shouldRequireEveryClauseToHold() {
            LabelSelector s = LabelSelector.parse("region=eu,role in (web,db),!spot");
            assertThat(s.matches(web)).isTrue();
            assertThat(s.matches(Map.of("region", "eu", "role", "db"))).isTrue();
            assertThat(s.matches(Map.of("region", "eu", "role", "db", "spot", "true")))
                    .isFalse();
            assertThat(s.matches(db)).isFalse();
        }

        @Test
        void shouldCompareValuesCaseSensitively() {
            assertThat(LabelSelector.parse("region=EU").matches(web)).isFalse();
            assertThat(LabelSelector.parse("Region=eu").matches(web)).isFalse();
        }

        @Test
        void shouldMatchRequirementDirectly() {
            assertThat(req("role", Operator.IN, "web").matches(web)).isTrue();
            assertThat(req("role", Operator.NOT_IN, "web").matches(web)).isFalse();
            assertThat(req("nope", Operator.NOT_EQUALS, "x").matches(web)).isTrue();
        }
    }

    @Nested
    class Formatting {
        @ParameterizedTest
        @ValueSource(
                strings = {
                    "region=eu",
                    "a==b",
                    "a!=b",
                    "role in (web,db)",
                    "role notin (db)",
                    "gpu",
                    "!gpu",
                    "flotilla.dev/started-by=alice",
                    "  region = eu ,  ! gpu , role in ( web , db, cache )  ,tier != free",
                    "a in (b,b,c),a notin (d)",
                })
        void shouldRoundTripThroughToString(String text) {
            LabelSelector original = LabelSelector.parse(text);
            LabelSelector reparsed = LabelSelector.parse(original.toString());
            assertThat(reparsed).isEqualTo(original);
            assertThat(reparsed.hashCode()).isEqualTo(original.hashCode());
            assertThat(reparsed.toString()).isEqualTo(original.toString());
        }

        @Test
        void shouldWriteCanonicalForm() {
            assertThat(LabelSelector.parse(" region == eu , ! gpu , role in ( web , db ) , tier != free , ssd ")
                            .toString())
                    .isEqualTo("region=eu,!gpu,role in (db,web),tier!=free,ssd");
        }

        @Test
        void shouldSortSetValuesSoEqualSelectorsPrintAlike() {
            assertThat(LabelSelector.parse("role in (web,db)").toString())
                    .isEqualTo(LabelSelector.parse("role in (db,web)").toString())
                    .isEqualTo("role in (db,web)");
            assertThat(LabelSelector.parse("role in (web,db)")).isEqualTo(LabelSelector.parse("role in (db,web)"));
        }

        @Test
        void shouldConsiderClauseOrderForEquality() {
            assertThat(LabelSelector.parse("a,b")).isNotEqualTo(LabelSelector.parse("b,a"));
        }
    }

    @Nested
    class Errors {
        static Stream<Arguments> malformed() {
            return Stream.of(
                    arguments("region=", "expected a label value", 7),
                    arguments("region==", "expected a label value", 8),
                    arguments("a===b", "expected a label value, got '='", 3),
                    arguments("role in (web", "expected ')'", 12),
                    arguments("role in web", "expected '('", 8),
                    arguments("role in", "expected '('", 7),
                    arguments("a b", "expected an operator (=, ==, !=, in, notin) after 'a'", 2),
                    arguments("=x", "expected a label key, got '='", 0),
                    arguments("role in ()", "expected a label value, got ')'", 9),
                    arguments("role in (web,)", "expected a label value, got ')'", 13),
                    arguments("role in (,web)", "expected a label value, got ','", 9),
                    arguments("k=v,", "expected a label key", 4),
                    arguments(",", "expected a label key, got ','", 0),
                    arguments("a,,b", "expected a label key, got ','", 2),
                    arguments("!", "expected a label key", 1),
                    arguments("!a=b", "unexpected '='", 2),
                    arguments("a!b", "expected '='", 2),
                    arguments("'a'=b", "expected a label key, got '''", 0),
                    arguments("a='b'", "expected a label value, got '''", 2),
                    arguments("a=b;c", "unexpected ';'", 3),
                    arguments("a;b=c", "expected an operator (=, ==, !=, in, notin) after 'a'", 1),
                    arguments("a=b c", "unexpected 'c'", 4),
                    arguments("role in (web db)", "expected ')'", 13),
                    arguments("role in (web) x", "unexpected 'x'", 14),
                    arguments("a=\u00e9t\u00e9", "expected a label value, got '\u00e9'", 2),
                    arguments("a\tb", "expected an operator", 1),
                    arguments("a=-b", "invalid label value '-b'", 2),
                    arguments("a=b-", "invalid label value 'b-'", 2),
                    arguments("Flotilla.dev/x=y", "invalid label key 'Flotilla.dev/x'", 0),
                    arguments("a/b/c=d", "invalid label key 'a/b/c'", 0),
                    arguments("/a=b", "invalid label key '/a'", 0),
                    arguments("x=1,a/=b", "invalid label key 'a/'", 4),
                    arguments("-a=b", "invalid label key '-a'", 0),
                    arguments("k".repeat(64) + "=v", "invalid label key '" + "k".repeat(64) + "'", 0),
                    arguments("k=" + "v".repeat(64), "invalid label value '" + "v".repeat(64) + "'", 2),
                    arguments("k in (a," + "v".repeat(64) + ")", "invalid label value", 8));
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @MethodSource("malformed")
        void shouldRejectMalformedSelectorWithReasonAndPosition(String text, String reason, int position) {
            assertThatThrownBy(() -> LabelSelector.parse(text))
                    .isInstanceOf(SelectorSyntaxException.class)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith(reason)
                    .hasMessageEndingWith(" at position " + position)
                    .satisfies(e ->
                            assertThat(((SelectorSyntaxException) e).position()).isEqualTo(position));
        }

        @Test
        void shouldRejectSelectorLongerThan4096Characters() {
            String text = "a=b," + "c".repeat(4093);
            assertThat(text).hasSize(4097);
            assertThatThrownBy(() -> LabelSelector.parse(text))
                    .isInstanceOf(SelectorSyntaxException.class)
                    .hasMessage("selector longer than 4096 characters at position 4096")
                    .satisfies(e ->
                            assertThat(((SelectorSyntaxException) e).position()).isEqualTo(4096));
        }

        @Test
        void shouldRejectHugeSelectorWithoutParsingIt() {
            String text = "a=b,".repeat(100_000);
            assertThatThrownBy(() -> LabelSelector.parse(text))
                    .isInstanceOf(SelectorSyntaxException.class)
                    .hasMessageContaining("longer than 4096");
        }

        @Test
        void shouldAbbreviateOverlongNamesInMessages() {
            String key = "k".repeat(200);
            assertThatThrownBy(() -> LabelSelector.parse(key + "=v"))
                    .isInstanceOf(SelectorSyntaxException.class)
                    .hasMessage("invalid label key '" + "k".repeat(80) + "\u2026' at position 0");
        }
    }
}
