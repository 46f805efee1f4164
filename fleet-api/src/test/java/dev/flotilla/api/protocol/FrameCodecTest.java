package dev.flotilla.api.protocol;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.databind.JsonNode;

import dev.flotilla.api.protocol.FrameCodec.BadFrameException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FrameCodecTest {

    private static Facts facts() {
        return new Facts(
                new Facts.OsRelease("debian", "12", "Debian GNU/Linux 12 (bookworm)"),
                "6.1.0-18-amd64",
                "x86_64",
                8,
                16L * 1024 * 1024 * 1024,
                List.of("10.0.0.5", "fd00::5"),
                "0f7a3c52-1b9e-4c1d-9a4e-3b2f1e6d7c8a");
    }

    private static Hello hello() {
        return new Hello(
                Protocol.VERSION,
                "4c4c4544004d3510804bc4c04f564432",
                "web-01",
                facts(),
                Map.of("region", "eu", "flotilla.dev/role", "web"),
                "0.1.0");
    }

    static Stream<Frame> everyFrameType() {
        return Stream.of(
                hello(),
                new Welcome(Protocol.VERSION, "4c4c4544004d3510804bc4c04f564432", 10_000L, 30_000L),
                new Heartbeat(42L),
                new ErrorFrame("bad-frame", "unknown frame type 'nope'"),
                new StateChanges(List.of(
                        StateChange.of(
                                1,
                                T,
                                new UnitState("web.service", "loaded", "active", "running", "Web", T, null, true)),
                        StateChange.of(2, T, container()),
                        StateChange.removal(3, T, container()),
                        StateChange.gap(4, T, 17))),
                new StateSnapshot(5, T, List.of(), List.of(container())),
                new StateSnapshot(6, T, List.of()),
                new NewCredential("flm_0123456789abcdefABCDEF_-0123456789"),
                new CredentialSaved());
    }

    private static final java.time.Instant T = java.time.Instant.parse("2026-11-20T10:00:00.123456Z");

    private static ContainerState container() {
        return new ContainerState(
                "f".repeat(64),
                "web",
                "registry.example/web:1.4",
                "running",
                "Up 2 minutes",
                "healthy",
                T,
                T,
                Map.of("app", "web"));
    }

    private static JsonNode tree(String json) throws Exception {
        return FrameCodec.mapper().readTree(json);
    }

    private static String typeNameOf(Class<?> frameClass) {
        return Arrays.stream(Frame.class.getAnnotation(JsonSubTypes.class).value())
                .filter(t -> t.value().equals(frameClass))
                .map(JsonSubTypes.Type::name)
                .findFirst()
                .orElseThrow(() -> new AssertionError(frameClass + " is not registered in @JsonSubTypes"));
    }

    @Nested
    class RoundTrip {
        @ParameterizedTest
        @MethodSource("dev.flotilla.api.protocol.FrameCodecTest#everyFrameType")
        void shouldDecodeWhatItEncodes(Frame frame) {
            assertThat(FrameCodec.decode(FrameCodec.encode(frame))).isEqualTo(frame);
        }

        @ParameterizedTest
        @MethodSource("dev.flotilla.api.protocol.FrameCodecTest#everyFrameType")
        void shouldEncodeToTheSameJsonAfterARoundTrip(Frame frame) throws Exception {
            String json = FrameCodec.encode(frame);
            // Compared as trees: the order of entries in an immutable label map is unspecified.
            assertThat(tree(FrameCodec.encode(FrameCodec.decode(json)))).isEqualTo(tree(json));
        }

        @Test
        void shouldRegisterATypeNameForEveryPermittedFrame() {
            assertThat(Frame.class.getPermittedSubclasses())
                    .extracting(FrameCodecTest::typeNameOf)
                    .containsExactlyInAnyOrder(
                            "hello",
                            "welcome",
                            "heartbeat",
                            "error",
                            "state-changes",
                            "state-snapshot",
                            "ack",
                            "facts",
                            "desired-state",
                            "desired-state-result",
                            "unit-query",
                            "unit-query-reply",
                            "lease-request",
                            "lease-reply",
                            "update-report",
                            "credential",
                            "credential-saved");
        }

        @Test
        void shouldRoundTripUpdateFrames() {
            java.time.Instant t = java.time.Instant.parse("2026-11-29T10:00:00.123456Z");
            for (Frame f : java.util.List.<Frame>of(
                    new LeaseRequest("r1"),
                    new LeaseReply("r1", true, "granted", "granted until then", t),
                    new LeaseReply("r2", false, "waiting_for_window", "outside every window", null),
                    new UpdateReport("failed", 3, 1, "12.9", "Debian 12.8", "E: broken"))) {
                assertThat(FrameCodec.decode(FrameCodec.encode(f))).isEqualTo(f);
            }
        }

        @Test
        void shouldRoundTripUnitFramesWithGapsAndRemovals() {
            java.time.Instant t = java.time.Instant.parse("2026-11-29T10:00:00.123456Z");
            UnitState u = new UnitState("a.service", "loaded", "active", "running", "A", t, "0".repeat(40), true);
            Frame changes = new StateChanges(java.util.List.of(
                    StateChange.of(1, t, u), StateChange.removal(2, t, u), StateChange.gap(3, t, 17)));
            assertThat(FrameCodec.decode(FrameCodec.encode(changes))).isEqualTo(changes);
            assertThat(FrameCodec.encode(changes))
                    .contains("\"type\":\"state-changes\"")
                    .doesNotContain("\"gap\"");
            Frame snapshot = new StateSnapshot(4, t, java.util.List.of(u));
            assertThat(FrameCodec.decode(FrameCodec.encode(snapshot))).isEqualTo(snapshot);
            assertThat(FrameCodec.decode(FrameCodec.encode(new Ack(9)))).isEqualTo(new Ack(9));
        }

        @Test
        void shouldRoundTripHelloWithoutFactsOrLabels() {
            Hello hello = new Hello(1, "m1", "host", null, null, null);
            Frame decoded = FrameCodec.decode(FrameCodec.encode(hello));
            assertThat(decoded).isEqualTo(hello);
            assertThat(((Hello) decoded).labels()).isEmpty();
            assertThat(((Hello) decoded).facts()).isNull();
        }

        @Test
        void shouldRoundTripFactsWithoutOsOrAddresses() {
            Facts facts = new Facts(null, "6.1", "aarch64", 1, 0L, null, "boot");
            Hello hello = new Hello(1, "m1", "host", facts, Map.of(), "0.1.0");
            Hello decoded = (Hello) FrameCodec.decode(FrameCodec.encode(hello));
            assertThat(decoded.facts()).isEqualTo(facts);
            assertThat(decoded.facts().addresses()).isEmpty();
        }

        @Test
        void shouldRoundTripExtremeNumbersAndUnicode() {
            assertThat(FrameCodec.decode(FrameCodec.encode(new Heartbeat(Long.MAX_VALUE))))
                    .isEqualTo(new Heartbeat(Long.MAX_VALUE));
            ErrorFrame error = new ErrorFrame("bad-frame", "caf\u00e9 \"quoted\" \\ back\nslash \u2603");
            assertThat(FrameCodec.decode(FrameCodec.encode(error))).isEqualTo(error);
        }

        @Test
        void shouldDecodeRegardlessOfPropertyOrderAndWhitespace() {
            assertThat(FrameCodec.decode(" {\n  \"seq\" : 7 ,\n  \"type\" : \"heartbeat\"\n}\n "))
                    .isEqualTo(new Heartbeat(7));
        }

        @Test
        void shouldCopyLabelsAndAddressesDefensively() {
            Map<String, String> labels = new HashMap<>(Map.of("region", "eu"));
            Hello hello = new Hello(1, "m1", "host", null, labels, null);
            labels.put("region", "us");
            assertThat(hello.labels()).containsEntry("region", "eu");
            assertThatThrownBy(() -> hello.labels().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(() -> facts().addresses().add("10.0.0.6"))
                    .isInstanceOf(UnsupportedOperationException.class);
        }
    }

    @Nested
    class Json {
        @Test
        void shouldWriteHelloWithTypeAndEveryField() throws Exception {
            JsonNode json = tree(FrameCodec.encode(hello()));
            assertThat(json.get("type").asText()).isEqualTo("hello");
            assertThat(json.get("protocolVersion").asInt()).isEqualTo(Protocol.VERSION);
            assertThat(json.get("machineId").asText()).isEqualTo("4c4c4544004d3510804bc4c04f564432");
            assertThat(json.get("hostname").asText()).isEqualTo("web-01");
            assertThat(json.get("agentVersion").asText()).isEqualTo("0.1.0");
            assertThat(json.get("labels").get("flotilla.dev/role").asText()).isEqualTo("web");
            JsonNode facts = json.get("facts");
            assertThat(facts.has("type")).as("nested records carry no type").isFalse();
            assertThat(facts.get("os").get("prettyName").asText()).isEqualTo("Debian GNU/Linux 12 (bookworm)");
            assertThat(facts.get("memoryBytes").asLong()).isEqualTo(16L * 1024 * 1024 * 1024);
            assertThat(facts.get("addresses")).hasSize(2);
        }

        @Test
        void shouldWriteWelcome() {
            assertThat(FrameCodec.encode(new Welcome(1, "m1", 10_000L, 30_000L)))
                    .isEqualTo("{\"type\":\"welcome\",\"protocolVersion\":1,\"machineId\":\"m1\","
                            + "\"heartbeatIntervalMillis\":10000,\"heartbeatTtlMillis\":30000}");
        }

        @Test
        void shouldWriteHeartbeat() {
            assertThat(FrameCodec.encode(new Heartbeat(3))).isEqualTo("{\"type\":\"heartbeat\",\"seq\":3}");
        }

        @Test
        void shouldWriteErrorFrame() {
            assertThat(FrameCodec.encode(new ErrorFrame("bad-frame", "oops")))
                    .isEqualTo("{\"type\":\"error\",\"code\":\"bad-frame\",\"message\":\"oops\"}");
        }

        @ParameterizedTest
        @MethodSource("dev.flotilla.api.protocol.FrameCodecTest#everyFrameType")
        void shouldNameEveryFrameTypeInTypeProperty(Frame frame) throws Exception {
            JsonNode json = tree(FrameCodec.encode(frame));
            assertThat(json.get("type").asText()).isEqualTo(typeNameOf(frame.getClass()));
        }

        @Test
        void shouldDecodeHandWrittenHello() {
            String json = "{\"type\":\"hello\",\"protocolVersion\":1,\"machineId\":\"m1\",\"hostname\":\"h\","
                    + "\"facts\":{\"os\":{\"id\":\"flatcar\",\"versionId\":\"3815\",\"prettyName\":\"Flatcar\"},"
                    + "\"kernel\":\"6.6\",\"architecture\":\"x86_64\",\"cpus\":2,\"memoryBytes\":1024,"
                    + "\"addresses\":[\"10.1.1.1\"],\"bootId\":\"b\"},"
                    + "\"labels\":{\"role\":\"db\"},\"agentVersion\":\"0.1.0\"}";
            assertThat(FrameCodec.decode(json))
                    .isEqualTo(new Hello(
                            1,
                            "m1",
                            "h",
                            new Facts(
                                    new Facts.OsRelease("flatcar", "3815", "Flatcar"),
                                    "6.6",
                                    "x86_64",
                                    2,
                                    1024L,
                                    List.of("10.1.1.1"),
                                    "b"),
                            Map.of("role", "db"),
                            "0.1.0"));
        }
    }

    @Nested
    class BadFrames {
        private void assertBadFrame(String text, String message) {
            assertThatThrownBy(() -> FrameCodec.decode(text))
                    .isInstanceOf(BadFrameException.class)
                    .hasMessage(message);
        }

        private void assertInvalidValue(String text) {
            assertThatThrownBy(() -> FrameCodec.decode(text))
                    .isInstanceOf(BadFrameException.class)
                    .hasMessageMatching("(?s)(missing or invalid value for '[A-Za-z]+'|malformed frame: .*)");
        }

        private void assertMalformed(String text) {
            assertThatThrownBy(() -> FrameCodec.decode(text))
                    .isInstanceOf(BadFrameException.class)
                    .hasMessageStartingWith("malformed frame: ");
        }

        @ParameterizedTest
        @NullAndEmptySource
        @ValueSource(strings = {" ", "\n", " \t\r\n "})
        void shouldRejectEmptyFrame(String text) {
            assertBadFrame(text, "empty frame");
        }

        @Test
        void shouldRejectUnknownFrameType() {
            assertBadFrame("{\"type\":\"nope\"}", "unknown frame type 'nope'");
            assertBadFrame("{\"type\":\"nope\",\"seq\":1}", "unknown frame type 'nope'");
        }

        @Test
        void shouldMatchFrameTypeCaseSensitively() {
            assertBadFrame("{\"type\":\"Heartbeat\",\"seq\":1}", "unknown frame type 'Heartbeat'");
        }

        @Test
        void shouldRejectFrameWithoutType() {
            assertBadFrame("{\"seq\":1}", "frame has no type");
            assertBadFrame("{}", "frame has no type");
            assertBadFrame("{\"type\":null,\"seq\":1}", "frame has no type");
        }

        @ParameterizedTest
        @ValueSource(strings = {"42", "\"hello\"", "true"})
        void shouldRejectScalarAsFrameWithoutType(String text) {
            assertBadFrame(text, "frame has no type");
        }

        @Test
        void shouldRejectArrayAsMalformed() {
            assertMalformed("[]");
            assertMalformed("[{\"type\":\"heartbeat\",\"seq\":1}]");
        }

        @Test
        void shouldRejectUnknownField() {
            assertBadFrame("{\"type\":\"heartbeat\",\"seq\":1,\"x\":2}", "unknown field 'x'");
            assertBadFrame("{\"type\":\"heartbeat\",\"x\":2,\"seq\":1}", "unknown field 'x'");
        }

        @Test
        void shouldRejectUnknownFieldInNestedRecords() {
            String facts = "\"kernel\":\"k\",\"architecture\":\"a\",\"cpus\":1,\"memoryBytes\":2,"
                    + "\"addresses\":[],\"bootId\":\"b\"";
            String head = "{\"type\":\"hello\",\"protocolVersion\":1,\"machineId\":\"m\",\"hostname\":\"h\",";
            String tail = ",\"labels\":{},\"agentVersion\":\"v\"}";
            assertBadFrame(head + "\"facts\":{\"os\":null," + facts + ",\"extra\":1}" + tail, "unknown field 'extra'");
            assertBadFrame(
                    head + "\"facts\":{\"os\":{\"id\":\"d\",\"bogus\":2}," + facts + "}" + tail,
                    "unknown field 'bogus'");
        }

        @Test
        void shouldRejectTypeGivenTwice() {
            assertBadFrame("{\"type\":\"heartbeat\",\"seq\":1,\"type\":\"welcome\"}", "unknown field 'type'");
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "{\"type\":\"heartbeat\"",
                    "{\"type\":\"heartbeat\",\"seq\":}",
                    "{type:\"heartbeat\",\"seq\":1}",
                    "{'type':'heartbeat','seq':1}",
                    "{\"type\":\"heartbeat\",\"seq\":1,}",
                    "{\"type\":\"heartbeat\",\"seq\":01}",
                    "{\"type\":\"heartbeat\",\"seq\":NaN}",
                    "{\"type\":\"heartbeat\",\"seq\":1} // comment",
                    "not json",
                })
        void shouldRejectMalformedJson(String text) {
            assertMalformed(text);
        }

        @Test
        void shouldRejectJsonNull() {
            assertBadFrame("null", "frame is JSON null");
            assertBadFrame("  null  ", "frame is JSON null");
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "{\"type\":\"heartbeat\",\"seq\":1} {}",
                    "{\"type\":\"heartbeat\",\"seq\":1}{\"type\":\"heartbeat\",\"seq\":2}",
                    "{\"type\":\"heartbeat\",\"seq\":1} null",
                    "{\"type\":\"heartbeat\",\"seq\":1} 1",
                    "{\"type\":\"heartbeat\",\"seq\":1} garbage",
                    "{\"type\":\"heartbeat\",\"seq\":1}}",
                })
        void shouldRejectTrailingTokens(String text) {
            assertMalformed(text);
        }

        @Test
        void shouldAcceptTrailingWhitespace() {
            assertThat(FrameCodec.decode("{\"type\":\"heartbeat\",\"seq\":1}\n"))
                    .isEqualTo(new Heartbeat(1));
        }

        @Test
        void shouldRejectMissingPrimitiveRatherThanDefaultingToZero() {
            assertInvalidValue("{\"type\":\"heartbeat\"}");
            assertInvalidValue("{\"type\":\"welcome\",\"protocolVersion\":1,\"machineId\":\"m\"}");
            assertInvalidValue("{\"type\":\"hello\",\"machineId\":\"m\",\"hostname\":\"h\"}");
        }

        @Test
        void shouldRejectNullForPrimitive() {
            assertInvalidValue("{\"type\":\"heartbeat\",\"seq\":null}");
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "{\"type\":\"heartbeat\",\"seq\":\"abc\"}",
                    "{\"type\":\"heartbeat\",\"seq\":true}",
                    "{\"type\":\"heartbeat\",\"seq\":{}}",
                    "{\"type\":\"heartbeat\",\"seq\":[1]}",
                    "{\"type\":\"heartbeat\",\"seq\":99999999999999999999}",
                    "{\"type\":\"heartbeat\",\"seq\":1.5}",
                    "{\"type\":\"heartbeat\",\"seq\":\"7\"}",
                })
        void shouldRejectWrongTypeForNumber(String text) {
            assertInvalidValue(text);
        }

        @Test
        void shouldRejectIntOverflowInProtocolVersion() {
            assertMalformed("{\"type\":\"hello\",\"protocolVersion\":99999999999,\"machineId\":\"m\","
                    + "\"hostname\":\"h\",\"facts\":null,\"labels\":{},\"agentVersion\":\"v\"}");
        }

        @Test
        void shouldRejectNullLabelValueAsMalformed() {
            assertMalformed("{\"type\":\"hello\",\"protocolVersion\":1,\"machineId\":\"m\",\"hostname\":\"h\","
                    + "\"facts\":null,\"labels\":{\"a\":null},\"agentVersion\":\"v\"}");
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "{\"type\":\"heartbeat\"",
                    "{\"type\":\"heartbeat\",\"seq\":1} {}",
                    "{\"type\":\"heartbeat\",\"seq\":\"abc\"}",
                    "{\"type\":\"heartbeat\",\"seq\":1,\"\n\":1}",
                })
        void shouldKeepMalformedMessagesOnOneShortLine(String text) {
            assertThatThrownBy(() -> FrameCodec.decode(text))
                    .isInstanceOf(BadFrameException.class)
                    .satisfies(e -> assertThat(e.getMessage())
                            .doesNotContain("\n")
                            .hasSizeLessThanOrEqualTo("malformed frame: ".length() + 200));
        }
    }

    @Nested
    class Constants {
        @Test
        void shouldUseCloseCodesFromThePrivateRange() {
            assertThat(List.of(Protocol.CLOSE_BAD_FRAME, Protocol.CLOSE_UNAUTHORIZED, Protocol.CLOSE_REPLACED))
                    .allSatisfy(code -> assertThat((int) code).isBetween(4000, 4999))
                    .doesNotHaveDuplicates();
        }

        @Test
        void shouldKeepPathsUnderVersionedAgentPrefix() {
            // The paths name the protocol's major version; the frames' version within it is agreed
            // in hello (2 added credential rotation, which version-1 agents are never sent).
            assertThat(Protocol.CONNECT_PATH).startsWith("/agent/v1/");
            assertThat(Protocol.ENROLL_PATH).startsWith("/agent/v1/");
            assertThat(Protocol.VERSION).isEqualTo(2);
            assertThat(Protocol.MAX_FRAME_BYTES).isEqualTo(1024 * 1024);
        }
    }
}
