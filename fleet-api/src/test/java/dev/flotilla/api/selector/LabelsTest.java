package dev.flotilla.api.selector;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

class LabelsTest {

    /** A DNS prefix of {@code length} characters made of valid 63-character segments. */
    private static String prefixOfLength(int length) {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < length) {
            if (sb.length() > 0) {
                sb.append('.');
            }
            int segment = Math.min(63, length - sb.length());
            sb.append("p".repeat(segment));
        }
        return sb.toString();
    }

    private static Map<String, String> labels(int count) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            labels.put("key" + i, "value" + i);
        }
        return labels;
    }

    @Nested
    class Keys {
        @ParameterizedTest
        @ValueSource(
                strings = {
                    "a",
                    "Z",
                    "9",
                    "app",
                    "App_Name-1.2",
                    "region",
                    "flotilla.dev/started-by",
                    "example.com/a",
                    "a-b.c/x",
                    "k8s.io/Hostname",
                })
        void shouldAcceptValidKeys(String key) {
            assertThat(Labels.isValidKey(key)).isTrue();
        }

        @ParameterizedTest
        @NullAndEmptySource
        @ValueSource(
                strings = {
                    "-a",
                    "a-",
                    ".a",
                    "a.",
                    "_a",
                    "a b",
                    "a=b",
                    "a'b",
                    "a;b",
                    "a,b",
                    "a!",
                    "\u00e9t\u00e9",
                    "/a",
                    "a/",
                    "a/b/c",
                    "Flotilla.dev/x",
                    "flotilla_dev/x",
                    "-flotilla.dev/x",
                    "flotilla..dev/x",
                    "flotilla.dev/-x",
                })
        void shouldRejectInvalidKeys(String key) {
            assertThat(Labels.isValidKey(key)).isFalse();
        }

        @Test
        void shouldLimitKeyNameToSixtyThreeCharacters() {
            assertThat(Labels.isValidKey("n".repeat(63))).isTrue();
            assertThat(Labels.isValidKey("n".repeat(64))).isFalse();
            assertThat(Labels.isValidKey("flotilla.dev/" + "n".repeat(63))).isTrue();
            assertThat(Labels.isValidKey("flotilla.dev/" + "n".repeat(64))).isFalse();
        }

        @Test
        void shouldLimitPrefixSegmentsToSixtyThreeCharacters() {
            assertThat(Labels.isValidKey("s".repeat(63) + ".dev/x")).isTrue();
            assertThat(Labels.isValidKey("s".repeat(64) + ".dev/x")).isFalse();
        }

        @Test
        void shouldLimitPrefixTo253Characters() {
            assertThat(prefixOfLength(253)).hasSize(253);
            assertThat(Labels.isValidKey(prefixOfLength(253) + "/x")).isTrue();
            assertThat(Labels.isValidKey(prefixOfLength(254) + "/x")).isFalse();
        }
    }

    @Nested
    class Values {
        @ParameterizedTest
        @ValueSource(strings = {"", "a", "eu", "EU", "v1.2-rc_3", "0"})
        void shouldAcceptValidValues(String value) {
            assertThat(Labels.isValidValue(value)).isTrue();
        }

        @ParameterizedTest
        @ValueSource(strings = {"-a", "a-", ".a", "a b", " a", "a/b", "a=b", "a,b", "'a'", "a;b", "\u00e9", "a\nb"})
        void shouldRejectInvalidValues(String value) {
            assertThat(Labels.isValidValue(value)).isFalse();
        }

        @Test
        void shouldRejectNullValue() {
            assertThat(Labels.isValidValue(null)).isFalse();
        }

        @Test
        void shouldLimitValueToSixtyThreeCharacters() {
            assertThat(Labels.isValidValue("v".repeat(63))).isTrue();
            assertThat(Labels.isValidValue("v".repeat(64))).isFalse();
        }
    }

    @Nested
    class Validate {
        @Test
        void shouldReturnTheSameMapWhenValid() {
            Map<String, String> labels = Map.of("region", "eu", "flotilla.dev/started-by", "alice", "gpu", "");
            assertThat(Labels.validate(labels)).isSameAs(labels);
        }

        @Test
        void shouldAcceptEmptyLabelSet() {
            assertThat(Labels.validate(Map.of())).isEmpty();
        }

        @Test
        void shouldAcceptSixtyFourLabels() {
            assertThat(Labels.MAX_LABELS).isEqualTo(64);
            assertThat(Labels.validate(labels(64))).hasSize(64);
        }

        @Test
        void shouldRejectMoreThanSixtyFourLabels() {
            assertThatThrownBy(() -> Labels.validate(labels(65)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("at most 64 labels, got 65");
        }

        @Test
        void shouldNameTheInvalidKey() {
            assertThatThrownBy(() -> Labels.validate(Map.of("bad key", "v")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("invalid label key 'bad key'");
        }

        @Test
        void shouldNameTheInvalidValueAndItsKey() {
            assertThatThrownBy(() -> Labels.validate(Map.of("region", "eu west")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("invalid value 'eu west' for label 'region'");
        }

        @Test
        void shouldRejectNullKeyOrValue() {
            Map<String, String> nullValue = new HashMap<>();
            nullValue.put("region", null);
            assertThatThrownBy(() -> Labels.validate(nullValue))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("invalid value 'null' for label 'region'");

            Map<String, String> nullKey = new HashMap<>();
            nullKey.put(null, "eu");
            assertThatThrownBy(() -> Labels.validate(nullKey))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("invalid label key 'null'");
        }

        @Test
        void shouldAbbreviateOverlongKeysInMessages() {
            String key = "k".repeat(500);
            assertThatThrownBy(() -> Labels.validate(Map.of(key, "v")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("invalid label key '" + "k".repeat(80) + "\u2026'");
        }
    }

    @Nested
    class ParsePairs {
        @Test
        void shouldParseCommaSeparatedPairsInOrder() {
            assertThat(Labels.parsePairs("k=v, k2=v2")).containsExactly(entry("k", "v"), entry("k2", "v2"));
        }

        @Test
        void shouldTrimAroundKeysAndValues() {
            assertThat(Labels.parsePairs("  region = eu ,flotilla.dev/role= web  "))
                    .containsExactly(entry("region", "eu"), entry("flotilla.dev/role", "web"));
        }

        @ParameterizedTest
        @NullAndEmptySource
        @ValueSource(strings = {" ", "   "})
        void shouldParseNothingToNoLabels(String text) {
            assertThat(Labels.parsePairs(text)).isEmpty();
        }

        @Test
        void shouldSkipEmptyPairs() {
            assertThat(Labels.parsePairs(",k=v,, ,k2=v2,")).containsExactly(entry("k", "v"), entry("k2", "v2"));
        }

        @Test
        void shouldAllowEmptyValue() {
            assertThat(Labels.parsePairs("gpu=")).containsExactly(entry("gpu", ""));
        }

        @Test
        void shouldKeepTheLastOfRepeatedKeys() {
            assertThat(Labels.parsePairs("k=a,k=b")).containsExactly(entry("k", "b"));
        }

        @ParameterizedTest
        @ValueSource(strings = {"novalue", "=v", " =v", "k=v,oops"})
        void shouldRejectPairsWithoutKeyOrEquals(String text) {
            assertThatThrownBy(() -> Labels.parsePairs(text))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("expected key=value, got '");
        }

        @Test
        void shouldQuoteTheMalformedPair() {
            assertThatThrownBy(() -> Labels.parsePairs("k=v, oops "))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("expected key=value, got 'oops'");
        }

        @Test
        void shouldRejectInvalidKey() {
            assertThatThrownBy(() -> Labels.parsePairs("bad key=v"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("invalid label key 'bad key'");
        }

        @Test
        void shouldRejectInvalidValue() {
            assertThatThrownBy(() -> Labels.parsePairs("k=v=w"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("invalid value 'v=w' for label 'k'");
            assertThatThrownBy(() -> Labels.parsePairs("k='quoted'"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("invalid value ''quoted'' for label 'k'");
        }

        @Test
        void shouldRejectMoreThanSixtyFourPairs() {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 65; i++) {
                sb.append("k").append(i).append("=v,");
            }
            assertThatThrownBy(() -> Labels.parsePairs(sb.toString()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("at most 64 labels, got 65");
        }

        @Test
        void shouldProduceLabelsASelectorCanMatch() {
            Map<String, String> labels = Labels.parsePairs("region=eu, role=web");
            assertThat(LabelSelector.parse("region=eu,role in (web,db)").matches(labels))
                    .isTrue();
        }
    }
}
