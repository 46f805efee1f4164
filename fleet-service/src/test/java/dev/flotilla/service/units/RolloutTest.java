package dev.flotilla.service.units;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.flotilla.api.protocol.DesiredState;
import dev.flotilla.api.protocol.DesiredStateResult;
import dev.flotilla.api.protocol.DesiredUnit;
import dev.flotilla.api.protocol.Frame;
import dev.flotilla.api.protocol.FrameCodec;
import dev.flotilla.api.protocol.Heartbeat;
import dev.flotilla.api.protocol.StateChange;
import dev.flotilla.api.protocol.StateChanges;
import dev.flotilla.api.protocol.UnitState;
import dev.flotilla.service.Fixtures;
import dev.flotilla.service.TestAgent;
import dev.flotilla.service.TestDatabase;
import dev.flotilla.service.TestTokens;
import dev.flotilla.service.tenant.Role;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.core.Vertx;

import static dev.flotilla.service.Api.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/**
 * Rolling changes of a global unit's file: batches of maxParallel machines, each gated on the
 * unit applied and active for minHealthy, pause and resume, and the previous file given
 * back when more machines fail than allowed. The agents are simulated: they answer desired state
 * as a real agent would (a result per unit, then the unit's state), failing any file that says
 * so.
 */
@QuarkusTest
@QuarkusTestResource(TestDatabase.class)
class RolloutTest {
    private static final Duration WAIT = Duration.ofSeconds(40);

    @TestHTTPResource("/")
    URI base;

    @Inject
    Vertx vertx;

    @Inject
    TestTokens tokens;

    String operator;
    String tag;

    @BeforeEach
    void setUp() {
        operator = tokens.api(Role.OPERATOR);
        tag = UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void shouldRollANewFileOutInBatchesGatedOnHealthWithPauseAndResume() throws Exception {
        try (Fleet fleet = new Fleet(3)) {
            String name = "roll-" + tag + ".service";
            put(name, unit("v1", ""), 201);
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(fleet.contents(name)).containsOnly("v1"));

            // A bad policy is refused before anything changes.
            as(operator)
                    .contentType("application/json")
                    .body(body(unit("v2", ""), "{\"maxParallel\":\"150%\"}"))
                    .put("/api/v1/units/" + name)
                    .then()
                    .statusCode(400)
                    .body("detail", containsString("at most 100%"));

            as(operator)
                    .contentType("application/json")
                    .body(body(unit("v2", ""), "{\"maxParallel\":\"1\",\"minHealthy\":\"PT1S\"}"))
                    .put("/api/v1/units/" + name)
                    .then()
                    .statusCode(200);
            // The first batch: one machine gets the new file, the others keep the old one.
            assertThat(fleet.contents(name)).containsExactlyInAnyOrder("v1", "v1", "v2");
            JsonPath rollout = rollout(name);
            assertThat(rollout.getString("state")).isEqualTo("running");
            assertThat(rollout.getInt("batch")).isEqualTo(1);
            assertThat(rollout.getInt("pending")).isEqualTo(2);
            // The unit keeps its file until the rollout succeeds; a second change meanwhile is refused.
            assertThat(as(operator).get("/api/v1/units/" + name).jsonPath().getString("content"))
                    .contains("v1");
            put(name, unit("v3", ""), 409);

            // Paused while the first batch is in progress: however healthy it gets, no second batch.
            as(operator)
                    .post("/api/v1/units/" + name + "/rollout/pause")
                    .then()
                    .statusCode(200)
                    .body("state", is("paused"));
            as(operator).post("/api/v1/units/" + name + "/rollout/pause").then().statusCode(409);
            Thread.sleep(4500); // two rounds of the scheduler
            assertThat(rollout(name).getInt("batch")).isEqualTo(1);
            assertThat(fleet.contents(name)).containsExactlyInAnyOrder("v1", "v1", "v2");

            as(operator)
                    .post("/api/v1/units/" + name + "/rollout/resume")
                    .then()
                    .statusCode(200)
                    .body("state", is("running"));
            await().atMost(WAIT).untilAsserted(() -> {
                JsonPath done = rollout(name);
                assertThat(done.getString("state")).isEqualTo("succeeded");
                assertThat(done.getInt("healthy")).isEqualTo(3);
                assertThat(done.getList("machines.batch", Integer.class)).containsExactly(1, 2, 3);
            });
            assertThat(fleet.contents(name)).containsOnly("v2");
            assertThat(as(operator).get("/api/v1/units/" + name).jsonPath().getString("content"))
                    .contains("v2");
        }
    }

    @Test
    void shouldGiveThePreviousFileBackWhenMoreMachinesFailThanAllowed() throws Exception {
        try (Fleet fleet = new Fleet(3)) {
            String name = "bad-" + tag + ".service";
            put(name, unit("v1", ""), 201);
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(fleet.contents(name)).containsOnly("v1"));

            // The simulated agents fail any file that says FAIL, as systemd would fail a broken unit.
            as(operator)
                    .contentType("application/json")
                    .body(body(unit("v2 FAIL", ""), "{\"maxParallel\":\"2\",\"minHealthy\":\"PT1S\"}"))
                    .put("/api/v1/units/" + name)
                    .then()
                    .statusCode(200);
            // The first batch, two machines, got the new file (their failures reach the leader at
            // once, so it may already be taken back: asserted on the rollout, which keeps its batches).
            assertThat(rollout(name).getList("machines.batch", Integer.class)).containsExactly(1, 1);
            await().atMost(WAIT).untilAsserted(() -> {
                JsonPath r = rollout(name);
                assertThat(r.getString("state")).isEqualTo("reverted");
                assertThat(r.getString("message")).contains("failed");
                assertThat(r.getInt("reverted")).isEqualTo(2);
            });
            // Every machine runs the previous file again; the third was never touched.
            assertThat(fleet.contents(name)).containsOnly("v1");
            assertThat(as(operator).get("/api/v1/units/" + name).jsonPath().getString("content"))
                    .contains("v1");
            // Nothing in progress any more: pause has nothing to pause, and a new file may be tried.
            as(operator).post("/api/v1/units/" + name + "/rollout/pause").then().statusCode(409);

            // The unit's page shows the rollout and why it was taken back.
            dev.flotilla.service.Api.dashboard()
                    .get("/units/" + name)
                    .then()
                    .statusCode(200)
                    .body(containsString("Rollout <span class=\"state reverted\">reverted</span>"))
                    .body(containsString("the previous file was given back"));

            // The same through the CLI: the status with each machine (exit 1: the rollout ended
            // reverted, not succeeded), and a refusal that says why.
            String[] status = flotilla("rollout", "status", name);
            assertThat(status[0]).isEqualTo("1");
            assertThat(status[1])
                    .contains("rollout of " + name + ": reverted")
                    .contains("MACHINE")
                    .contains("reverted");
            String[] pause = flotilla("rollout", "pause", name);
            assertThat(pause[0]).isEqualTo("1");
            assertThat(pause[2]).contains("only a running rollout can be paused");
            assertThat(flotilla("rollout", "restart", name)[0]).isEqualTo("2");
        }
    }

    /** Runs the CLI against this service: exit code, output, errors. */
    private String[] flotilla(String... args) {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        int code = dev.flotilla.cli.Cli.execute(
                args,
                Map.of("FLOTILLA_URL", base.toString(), "FLOTILLA_TOKEN", operator),
                new java.io.PrintWriter(out),
                new java.io.PrintWriter(err));
        return new String[] {String.valueOf(code), out.toString(), err.toString()};
    }

    private static String unit(String version, String more) {
        return "[Unit]\\nDescription=" + version + "\\n[Service]\\nExecStart=/bin/sleep 600\\n" + more
                + "[X-Fleet]\\nGlobal=true\\nMachineMetadata=fleet=ROLL\\n";
    }

    private String body(String content, String rollout) {
        return "{\"content\":\"" + content.replace("ROLL", tag) + "\",\"rollout\":" + rollout + "}";
    }

    private void put(String name, String content, int status) {
        as(operator)
                .contentType("application/json")
                .body("{\"content\":\"" + content.replace("ROLL", tag) + "\"}")
                .put("/api/v1/units/" + name)
                .then()
                .statusCode(status);
    }

    private JsonPath rollout(String name) {
        return as(operator)
                .get("/api/v1/units/" + name + "/rollout")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    /** Machines with simulated agents that answer desired state and keep heartbeating. */
    private final class Fleet implements AutoCloseable {
        final List<String> ids = new ArrayList<>();
        final List<TestAgent> agents = new ArrayList<>();
        final AtomicLong seq = new AtomicLong(1000);
        final long timer;

        Fleet(int n) throws Exception {
            String enroll = tokens.enrollment(n);
            for (int i = 0; i < n; i++) {
                String id = Fixtures.newMachineId();
                String credential = Fixtures.enroll(enroll, id, "roll-" + i + "-" + tag);
                ids.add(id);
                agents.add(TestAgent.greeted(vertx, base, credential, id));
                as(operator)
                        .contentType("application/json")
                        .body(Map.of("fleet", tag))
                        .patch("/api/v1/machines/" + id + "/labels")
                        .then()
                        .statusCode(200);
            }
            timer = vertx.setPeriodic(200, t -> agents.forEach(this::answer));
        }

        /** Answers every desired state as a real agent would: a result per unit, then its state. */
        private void answer(TestAgent agent) {
            agent.send(new Heartbeat(seq.incrementAndGet()));
            String text;
            while ((text = agent.received.poll()) != null) {
                Frame frame = FrameCodec.decode(text);
                if (!(frame instanceof DesiredState desired)) {
                    continue;
                }
                List<DesiredStateResult.UnitResult> results = new ArrayList<>();
                List<StateChange> states = new ArrayList<>();
                for (DesiredUnit u : desired.units()) {
                    boolean fails = u.content().contains("FAIL");
                    results.add(new DesiredStateResult.UnitResult(
                            u.name(), !fails, fails ? "failed (Result=exit-code)" : null));
                    states.add(StateChange.of(
                            seq.incrementAndGet(),
                            Instant.now(),
                            new UnitState(
                                    u.name(),
                                    "loaded",
                                    fails ? "failed" : "active",
                                    fails ? "failed" : "running",
                                    null,
                                    Instant.now(),
                                    null,
                                    true)));
                }
                agent.send(new DesiredStateResult(desired.generation(), results));
                if (!states.isEmpty()) {
                    agent.send(new StateChanges(states));
                }
            }
        }

        /** Each machine's desired file of the unit, by its Description (v1, v2, ...). */
        List<String> contents(String unit) {
            List<String> out = new ArrayList<>();
            for (String id : ids) {
                JsonPath view = as(operator)
                        .get("/api/v1/machines/" + id + "/desired-units")
                        .jsonPath();
                String content = view.getString("units.find { it.name == '" + unit + "' }.content");
                out.add(content == null ? null : content.replaceAll("(?s).*Description=([^\\n]*).*", "$1"));
            }
            return out;
        }

        @Override
        public void close() {
            vertx.cancelTimer(timer);
            agents.forEach(TestAgent::close);
        }
    }
}
