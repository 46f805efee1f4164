package dev.flotilla.service.agent;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.flotilla.api.protocol.ErrorFrame;
import dev.flotilla.api.protocol.Frame;
import dev.flotilla.api.protocol.Heartbeat;
import dev.flotilla.api.protocol.Protocol;
import dev.flotilla.api.protocol.Welcome;
import dev.flotilla.service.Fixtures;
import dev.flotilla.service.TestAgent;
import dev.flotilla.service.TestDatabase;
import dev.flotilla.service.TestTokens;
import dev.flotilla.service.tenant.Role;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;

import static dev.flotilla.service.Api.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The agent WebSocket: who may connect, what they may say, and what presence follows. */
@QuarkusTest
@QuarkusTestResource(TestDatabase.class)
class AgentGatewayTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TestHTTPResource("/")
    URI base;

    @Inject
    Vertx vertx;

    @Inject
    TestTokens tokens;

    String admin;
    String machineId;
    String credential;

    @BeforeEach
    void enroll() {
        admin = tokens.api(Role.ADMIN);
        machineId = Fixtures.newMachineId();
        credential = Fixtures.enroll(tokens.enrollment(1), machineId, "gw-" + machineId.substring(0, 6));
    }

    @Test
    void shouldWelcomeAKnownMachineAndShowItOnline() throws Exception {
        try (TestAgent agent = TestAgent.connect(vertx, base, credential)) {
            agent.send(TestAgent.hello(machineId, "web-1", Map.of("region", "eu")));
            Frame welcome = agent.next(WAIT);
            assertThat(welcome).isInstanceOf(Welcome.class);
            assertThat(((Welcome) welcome).machineId()).isEqualTo(machineId);
            assertThat(((Welcome) welcome).heartbeatIntervalMillis()).isEqualTo(1000);
            presenceIs("online");
            as(admin)
                    .get("/api/v1/machines/" + machineId)
                    .then()
                    .statusCode(200)
                    .body("hostname", org.hamcrest.Matchers.is("web-1"))
                    .body("labels.region", org.hamcrest.Matchers.is("eu"))
                    .body("facts.os.id", org.hamcrest.Matchers.is("debian"));
        }
        presenceIs("offline");
    }

    @Inject
    io.agroal.api.AgroalDataSource dataSource;

    /**
     * The credential is checked on a worker thread (it reads the database) after the socket has
     * opened: a hello sent at once, while that check is held up, is not lost — websockets-next
     * hands frames to the endpoint only after its {@code @OnOpen} completed. Kept because a storm
     * depends on it: a dropped hello costs the agent a "no hello" close and a reconnection.
     */
    @Test
    void shouldAnswerAHelloThatArrivesWhileTheCredentialIsStillBeingChecked() throws Exception {
        TestAgent agent;
        try (java.sql.Connection lock = dataSource.getConnection()) {
            lock.setAutoCommit(false);
            // The check reads the machine table: it waits until this transaction ends.
            lock.createStatement().execute("lock table machine in access exclusive mode");
            agent = TestAgent.connect(vertx, base, credential);
            agent.send(TestAgent.hello(machineId, "early", Map.of()));
            Thread.sleep(1500);
            assertThat(agent.closed).isNotDone();
            lock.rollback();
        }
        try (agent) {
            Frame welcome = agent.next(WAIT);
            assertThat(welcome).isInstanceOf(Welcome.class);
            assertThat(agent.next(WAIT)).isInstanceOf(dev.flotilla.api.protocol.DesiredState.class);
            presenceIs("online");
        }
    }

    /**
     * Hellos arriving together are greeted together (one transaction for many machines): every
     * agent still gets its own welcome and then its own desired state, and every machine is online.
     */
    @Test
    void shouldGreetManyAgentsConnectingAtOnce() throws Exception {
        int n = 40;
        String token = tokens.enrollment(n);
        java.util.List<String> ids = new java.util.ArrayList<>();
        java.util.List<String> credentials = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = Fixtures.newMachineId();
            ids.add(id);
            credentials.add(Fixtures.enroll(token, id, "many-" + i));
        }
        java.util.List<TestAgent> agents = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                agents.add(TestAgent.connect(vertx, base, credentials.get(i)));
            }
            for (int i = 0; i < n; i++) {
                agents.get(i).send(TestAgent.hello(ids.get(i), "many-" + i, Map.of("batch", "yes")));
            }
            for (int i = 0; i < n; i++) {
                Frame welcome = agents.get(i).next(WAIT);
                assertThat(welcome).isInstanceOf(Welcome.class);
                assertThat(((Welcome) welcome).machineId()).isEqualTo(ids.get(i));
                assertThat(agents.get(i).next(WAIT)).isInstanceOf(dev.flotilla.api.protocol.DesiredState.class);
            }
            // Each went online (its history says so: these agents do not heartbeat, and the test
            // TTL of 3 s may take them offline again while this loop runs on a busy machine).
            for (String id : ids) {
                as(admin)
                        .get("/api/v1/machines/" + id)
                        .then()
                        .statusCode(200)
                        .body("labels.batch", org.hamcrest.Matchers.is("yes"));
                assertThat(as(admin)
                                .get("/api/v1/machines/" + id + "/events")
                                .then()
                                .statusCode(200)
                                .extract()
                                .jsonPath()
                                .getList("items.toPresence"))
                        .contains("online");
            }
        } finally {
            for (TestAgent a : agents) {
                a.close();
            }
        }
    }

    @Test
    void shouldRecordFactsThatChangeWhileConnected() throws Exception {
        try (TestAgent agent = TestAgent.connect(vertx, base, credential)) {
            agent.send(TestAgent.hello(machineId, "updated", Map.of()));
            assertThat(agent.next(WAIT)).isInstanceOf(Welcome.class);
            agent.send(new dev.flotilla.api.protocol.FactsChanged(new dev.flotilla.api.protocol.Facts(
                    new dev.flotilla.api.protocol.Facts.OsRelease("debian", "13", "Debian GNU/Linux 13 (trixie)"),
                    "6.12.0",
                    "x86_64",
                    4,
                    8L << 30,
                    java.util.List.of("10.0.0.8"),
                    "boot-2")));
            await().atMost(WAIT)
                    .untilAsserted(() -> as(admin)
                            .get("/api/v1/machines/" + machineId)
                            .then()
                            .body("facts.os.versionId", org.hamcrest.Matchers.is("13"))
                            .body("facts.addresses[0]", org.hamcrest.Matchers.is("10.0.0.8")));
        }
    }

    @Test
    void shouldMarkASilentMachineOfflineAfterTheTtlAndLostAfterTheGrace() throws Exception {
        try (TestAgent agent = TestAgent.connect(vertx, base, credential)) {
            agent.send(TestAgent.hello(machineId, "quiet", Map.of()));
            assertThat(agent.next(WAIT)).isInstanceOf(Welcome.class);
            presenceIs("online");
            // No heartbeats: the TTL is 3 s in tests; the service closes the silent session.
            TestAgent.Close close = agent.awaitClose(WAIT);
            assertThat(close.code()).isEqualTo((short) 4408);
            presenceIs("offline");
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> presenceIs("lost"));
        }
        var events = as(admin)
                .get("/api/v1/machines/" + machineId + "/events")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(events.getList("items.toPresence")).containsSubsequence("lost", "offline", "online");
    }

    @Test
    void shouldStayOnlineWhileHeartbeating() throws Exception {
        try (TestAgent agent = TestAgent.connect(vertx, base, credential)) {
            agent.send(TestAgent.hello(machineId, "beating", Map.of()));
            assertThat(agent.next(WAIT)).isInstanceOf(Welcome.class);
            for (int i = 1; i <= 6; i++) {
                agent.send(new Heartbeat(i));
                Thread.sleep(800);
            }
            assertThat(agent.closed).isNotDone();
            presenceIs("online");
        }
    }

    @Test
    void shouldRefuseAMissingOrWrongCredential() throws Exception {
        try (TestAgent agent = TestAgent.connect(vertx, base, null)) {
            assertThat(agent.awaitClose(WAIT).code()).isEqualTo(Protocol.CLOSE_UNAUTHORIZED);
        }
        long refusedBefore = refusals();
        try (TestAgent agent = TestAgent.connect(vertx, base, "flm_not-a-real-credential")) {
            TestAgent.Close close = agent.awaitClose(WAIT);
            assertThat(close.code()).isEqualTo(Protocol.CLOSE_UNAUTHORIZED);
            assertThat(close.reason()).contains("unknown or revoked");
        }
        assertThat(refusals()).as("the refusal is in the audit log").isGreaterThan(refusedBefore);
        presenceIs("offline");
    }

    private long refusals() {
        return io.quarkus.narayana.jta.QuarkusTransaction.requiringNew()
                .call(() -> ((Number) auditEm.createNativeQuery(
                                        "select count(*) from audit_event where action = 'agent.refused' and outcome = 'refused'")
                                .getSingleResult())
                        .longValue());
    }

    @jakarta.inject.Inject
    jakarta.persistence.EntityManager auditEm;

    @Test
    void shouldRefuseAHelloForAnotherMachine() throws Exception {
        try (TestAgent agent = TestAgent.connect(vertx, base, credential)) {
            agent.send(TestAgent.hello(Fixtures.newMachineId(), "impostor", Map.of()));
            assertThat(agent.awaitClose(WAIT).code()).isEqualTo(Protocol.CLOSE_UNAUTHORIZED);
        }
        presenceIs("offline");
    }

    @Test
    void shouldCloseOnMalformedFramesWithAReason() throws Exception {
        assertBadFrame(a -> a.sendText("{not json"), "malformed frame");
        assertBadFrame(a -> a.sendText("{\"type\":\"reboot-everything\"}"), "unknown frame type 'reboot-everything'");
        assertBadFrame(a -> a.sendText("{\"seq\":1}"), "frame has no type");
        assertBadFrame(a -> a.sendText("[]"), "malformed frame");
        assertBadFrame(a -> a.sendText("{\"type\":\"heartbeat\",\"seq\":1}"), "hello must come first");
        assertBadFrame(
                a -> a.sendText(
                        "{\"type\":\"welcome\",\"protocolVersion\":1,\"machineId\":\"x\",\"heartbeatIntervalMillis\":1,\"heartbeatTtlMillis\":1}"),
                "agents do not send 'welcome' frames");
        assertBadFrame(a -> a.sendBinary(new byte[] {1, 2, 3}), "not binary");
        assertBadFrame(
                a -> a.sendText(dev.flotilla.api.protocol.FrameCodec.encode(TestAgent.hello(machineId, "x", Map.of()))
                        .replace("\"hostname\"", "\"extra\":1,\"hostname\"")),
                "unknown field 'extra'");
        assertBadFrame(a -> a.send(TestAgent.hello(machineId, "x", Map.of("bad key!", "v"))), "invalid label key");
        presenceIs("offline");
    }

    @Test
    void shouldGrantALeaseOverTheConnectionAndEndItWhenTheAgentReportsItsUpdateComplete() throws Exception {
        try (TestAgent agent = TestAgent.greeted(vertx, base, credential, machineId)) {
            agent.send(new dev.flotilla.api.protocol.UpdateReport("pending", 3, 1, "12.9", "Debian 12.8", null));
            agent.send(new dev.flotilla.api.protocol.LeaseRequest("r1"));
            dev.flotilla.api.protocol.LeaseReply reply = null;
            for (int i = 0; i < 10 && reply == null; i++) {
                if (agent.next(WAIT) instanceof dev.flotilla.api.protocol.LeaseReply r) {
                    reply = r;
                }
            }
            assertThat(reply).isNotNull();
            assertThat(reply.requestId()).isEqualTo("r1");
            assertThat(reply.granted()).isTrue(); // the default policy: always open, one at a time
            assertThat(reply.expiresAt()).isAfter(java.time.Instant.now());
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(as(admin)
                                    .get("/api/v1/machines/" + machineId + "/update")
                                    .jsonPath()
                                    .getString("progress"))
                            .isEqualTo("granted"));
            assertThat(as(admin)
                            .get("/api/v1/machines/" + machineId + "/update")
                            .jsonPath()
                            .getInt("security"))
                    .isEqualTo(1);
            agent.send(new dev.flotilla.api.protocol.UpdateReport("complete", 0, 0, null, "Debian 12.9", null));
            await().atMost(WAIT).untilAsserted(() -> {
                io.restassured.path.json.JsonPath u = as(admin)
                        .get("/api/v1/machines/" + machineId + "/update")
                        .jsonPath();
                assertThat(u.getString("progress")).isEqualTo("complete");
                assertThat(u.getString("osVersion")).isEqualTo("Debian 12.9");
                assertThat(u.getString("lease")).isNull();
            });
        }
    }

    @Test
    void shouldCloseOnBadUpdateFramesWithAReason() throws Exception {
        assertBadGreetedFrame(
                a -> a.send(new dev.flotilla.api.protocol.UpdateReport("exploded", 1, 0, null, null, null)),
                "update-report state must be one of");
        assertBadGreetedFrame(
                a -> a.send(new dev.flotilla.api.protocol.UpdateReport("failed", -1, 0, null, null, null)),
                "must not be negative");
        assertBadGreetedFrame(
                a -> a.send(new dev.flotilla.api.protocol.UpdateReport("failed", 1, 0, null, null, "x".repeat(5000))),
                "at most 4096");
        assertBadGreetedFrame(a -> a.send(new dev.flotilla.api.protocol.LeaseRequest("")), "requestId of 1 to 100");
        assertBadGreetedFrame(
                a -> a.send(new dev.flotilla.api.protocol.LeaseReply("r", true, "granted", "x", null)),
                "agents do not send 'lease-reply' frames");
    }

    private void assertBadGreetedFrame(ThrowingConsumer<TestAgent> send, String reason) throws Exception {
        try (TestAgent agent = TestAgent.greeted(vertx, base, credential, machineId)) {
            send.accept(agent);
            TestAgent.Close close = agent.awaitClose(WAIT);
            assertThat(close.code()).as(reason).isEqualTo(Protocol.CLOSE_BAD_FRAME);
            assertThat(close.reason()).contains(reason);
        }
    }

    @Test
    void shouldCloseASessionThatSendsFramesFasterThanAllowed() throws Exception {
        try (TestAgent agent = TestAgent.greeted(vertx, base, credential, machineId)) {
            // Ten times the sustained rate plus the burst, as fast as the socket takes them.
            for (int i = 0; i < 4000 && !agent.closed.isDone(); i++) {
                agent.send(new dev.flotilla.api.protocol.Heartbeat(i));
            }
            TestAgent.Close close = agent.awaitClose(WAIT);
            assertThat(close.code()).isEqualTo(Protocol.CLOSE_TOO_FAST);
            assertThat(close.reason()).contains("frames a second");
        }
        // The allowance is the machine's, not the connection's: reconnecting does not refill it, and
        // a machine that ran it down is refused at the handshake until it has regained some.
        try (TestAgent again = TestAgent.connect(vertx, base, credential)) {
            TestAgent.Close close = again.awaitClose(WAIT);
            assertThat(close.code()).isEqualTo(Protocol.CLOSE_TOO_FAST);
            assertThat(close.reason()).contains("come back");
        }
    }

    @Test
    void shouldCloseAnOversizedFrame() throws Exception {
        try (TestAgent agent = TestAgent.connect(vertx, base, credential)) {
            agent.sendText(
                    "{\"type\":\"heartbeat\",\"seq\":1,\"pad\":\"" + "x".repeat(Protocol.MAX_FRAME_BYTES + 10) + "\"}");
            TestAgent.Close close = agent.awaitClose(WAIT);
            assertThat(close.code()).isEqualTo((short) 1009);
        }
        presenceIs("offline");
    }

    @Test
    void shouldEndTheSessionOfARemovedMachine() throws Exception {
        try (TestAgent agent = TestAgent.connect(vertx, base, credential)) {
            agent.send(TestAgent.hello(machineId, "doomed", Map.of()));
            assertThat(agent.next(WAIT)).isInstanceOf(Welcome.class);
            assertThat(agent.next(WAIT)).isInstanceOf(dev.flotilla.api.protocol.DesiredState.class);
            as(admin).delete("/api/v1/machines/" + machineId).then().statusCode(204);
            assertThat(agent.next(WAIT)).isInstanceOf(ErrorFrame.class);
            assertThat(agent.awaitClose(WAIT).code()).isEqualTo(Protocol.CLOSE_UNAUTHORIZED);
        }
        try (TestAgent again = TestAgent.connect(vertx, base, credential)) {
            assertThat(again.awaitClose(WAIT).code()).isEqualTo(Protocol.CLOSE_UNAUTHORIZED);
        }
    }

    @Test
    void shouldReplaceAnOlderSessionOfTheSameMachine() throws Exception {
        try (TestAgent first = TestAgent.connect(vertx, base, credential);
                TestAgent second = TestAgent.connect(vertx, base, credential)) {
            first.send(TestAgent.hello(machineId, "twin", Map.of()));
            assertThat(first.next(WAIT)).isInstanceOf(Welcome.class);
            second.send(TestAgent.hello(machineId, "twin", Map.of()));
            assertThat(second.next(WAIT)).isInstanceOf(Welcome.class);
            assertThat(first.awaitClose(WAIT).code()).isEqualTo(Protocol.CLOSE_REPLACED);
            // The old session's end must not take the machine offline: the new one holds it.
            Thread.sleep(500);
            presenceIs("online");
        }
    }

    private void assertBadFrame(ThrowingConsumer<TestAgent> send, String reason) throws Exception {
        try (TestAgent agent = TestAgent.connect(vertx, base, credential)) {
            send.accept(agent);
            TestAgent.Close close = agent.awaitClose(WAIT);
            assertThat(close.code()).as(reason).isEqualTo(Protocol.CLOSE_BAD_FRAME);
            assertThat(close.reason()).contains(reason);
        }
    }

    private void presenceIs(String presence) {
        await().atMost(WAIT)
                .untilAsserted(() -> as(admin)
                        .get("/api/v1/machines/" + machineId)
                        .then()
                        .statusCode(200)
                        .body("presence", org.hamcrest.Matchers.is(presence)));
    }

    @FunctionalInterface
    interface ThrowingConsumer<T> {
        void accept(T t) throws Exception;
    }
}
