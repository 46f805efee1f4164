package dev.flotilla.service.units;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import dev.flotilla.api.protocol.Heartbeat;
import dev.flotilla.api.selector.LabelSelector;
import dev.flotilla.service.Fixtures;
import dev.flotilla.service.TestAgent;
import dev.flotilla.service.TestDatabase;
import dev.flotilla.service.TestTokens;
import dev.flotilla.service.machine.MachineService;
import dev.flotilla.service.tenant.Role;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;

import static dev.flotilla.service.Api.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The scheduler reacts: a change in one organization reaches its machines within a second,
 * although the tests' full pass runs only when a replica becomes the leader (every hour), so only a
 * mark can explain it; an organization that changed nothing is not marked. Each test makes
 * organizations of its own.
 */
@QuarkusTest
@QuarkusTestResource(TestDatabase.class)
class ReactiveSchedulingTest {
    private static final Duration REACT = Duration.ofSeconds(1);

    @TestHTTPResource("/")
    URI base;

    @Inject
    Vertx vertx;

    @Inject
    TestTokens tokens;

    @Inject
    MeterRegistry registry;

    @Inject
    MachineService machines;

    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String url;

    @ConfigProperty(name = "quarkus.datasource.username")
    String user;

    @ConfigProperty(name = "quarkus.datasource.password")
    Optional<String> password;

    String tag;
    Connection db;

    @BeforeEach
    void setUp() throws SQLException {
        tag = UUID.randomUUID().toString().substring(0, 8);
        db = DriverManager.getConnection(url, user, password.orElse(""));
    }

    @AfterEach
    void tearDown() throws SQLException {
        db.close();
    }

    @Test
    void shouldBringALabelChangeToItsMachineWithinASecondWithoutAFullPass() {
        Org a = org("a");
        String m = a.machine();
        String unit = a.globalUnit("role=web-" + tag);
        assertThat(placed(a.id, m, unit)).isFalse();
        double reactive = reactiveReconciles();
        double fullPasses = fullPasses();

        long start = System.nanoTime();
        a.labels(m, Map.of("role", "web-" + tag));
        await().atMost(REACT).pollInterval(Duration.ofMillis(10)).until(() -> placed(a.id, m, unit));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(REACT);
        assertThat(reactiveReconciles()).isGreaterThan(reactive);
        assertThat(fullPasses()).as("no full pass explains it").isEqualTo(fullPasses);
    }

    @Test
    void shouldNotMarkAnOrganizationThatChangedNothing() throws Exception {
        Org idle = org("idle");
        String idleMachine = idle.machine();
        try (TestAgent agent = TestAgent.greeted(vertx, base, idle.lastCredential, idleMachine)) {
            long heartbeats = vertx.setPeriodic(500, id -> agent.send(new Heartbeat(id)));
            try {
                idle.globalUnit("");
                Org busy = org("busy");
                String m = busy.machine();
                String unit = busy.globalUnit("role=web-" + tag);

                listen();
                busy.labels(m, Map.of("role", "web-" + tag));
                await().atMost(REACT).pollInterval(Duration.ofMillis(10)).until(() -> placed(busy.id, m, unit));
                List<String> marked = marks(Duration.ofSeconds(2));

                assertThat(marked).contains(busy.id.toString()).doesNotContain(idle.id.toString());
            } finally {
                vertx.cancelTimer(heartbeats);
            }
        }
    }

    @Test
    void shouldGiveEveryMachineOfABulkLabelChangeItsUnitWithinASecond() {
        Org a = org("bulk");
        List<String> ids = List.of(a.machine(), a.machine(), a.machine());
        String unit = a.globalUnit("role=bulk-" + tag);

        long start = System.nanoTime();
        int changed = machines.changeLabelsWhere(
                new MachineService.MachineQuery(a.id, LabelSelector.everything(), null, null, null, 500),
                Map.of("role", "bulk-" + tag),
                "test",
                500);
        assertThat(changed).isEqualTo(3);
        await().atMost(REACT)
                .pollInterval(Duration.ofMillis(10))
                .until(() -> ids.stream().allMatch(m -> placed(a.id, m, unit)));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(REACT);
    }

    @Test
    void shouldMoveAUnitOffARemovedMachineWithinASecond() throws Exception {
        Org a = org("removed");
        String m1 = a.machine();
        String c1 = a.lastCredential;
        String m2 = a.machine();
        String c2 = a.lastCredential;
        try (TestAgent a1 = TestAgent.greeted(vertx, base, c1, m1);
                TestAgent a2 = TestAgent.greeted(vertx, base, c2, m2)) {
            long heartbeats = vertx.setPeriodic(500, id -> {
                a1.send(new Heartbeat(id));
                a2.send(new Heartbeat(id));
            });
            try {
                String unit = "one-" + tag + ".service";
                String on = as(a.operator)
                        .contentType("application/json")
                        .body("{\"content\":\"[Service]\\nExecStart=/bin/sleep 600\\n\"}")
                        .put("/api/v1/units/" + unit)
                        .then()
                        .statusCode(201)
                        .extract()
                        .path("machineId");
                String other = on.equals(m1) ? m2 : m1;

                long start = System.nanoTime();
                as(tokens.api(a.id, Role.ADMIN))
                        .delete("/api/v1/machines/" + on)
                        .then()
                        .statusCode(204);
                await().atMost(REACT).pollInterval(Duration.ofMillis(10)).until(() -> placed(a.id, other, unit));
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(REACT);
            } finally {
                vertx.cancelTimer(heartbeats);
            }
        }
    }

    @Test
    void shouldPlaceAUnitWhereAHandSetOneOfItsNameWasRemovedWithinASecond() {
        Org a = org("hand");
        String m = a.machine();
        String name = "g-" + tag + ".service";
        as(a.operator)
                .contentType("application/json")
                .body("{\"content\":\"[Service]\\nExecStart=/bin/true\\n\"}")
                .put("/api/v1/machines/" + m + "/desired-units/" + name)
                .then()
                .statusCode(200);
        a.globalUnit(""); // the hand's unit was there first: it stays
        assertThat(placed(a.id, m, name)).isFalse();

        long start = System.nanoTime();
        as(a.operator)
                .delete("/api/v1/machines/" + m + "/desired-units/" + name)
                .then()
                .statusCode(200);
        await().atMost(REACT).pollInterval(Duration.ofMillis(10)).until(() -> placed(a.id, m, name));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(REACT);
    }

    @Test
    void shouldPassOverEveryOrganizationAfterTheListenConnectionWasLost() throws SQLException {
        double before = fullPasses("resumed");
        try (Statement s = db.createStatement();
                ResultSet r = s.executeQuery("select pg_terminate_backend(pid) from pg_stat_activity"
                        + " where datname = current_database() and query like 'LISTEN%' and pid <> pg_backend_pid()")) {
            assertThat(r.next()).as("the notify hub's connection").isTrue();
        }
        // The hub listens again after 0.5 s; the leader's next tick (2 s) passes over everything.
        await().atMost(Duration.ofSeconds(15)).until(() -> fullPasses("resumed") > before);
    }

    private double reactiveReconciles() {
        Counter c = registry.find("flotilla.scheduler.reactive.reconciles").counter();
        return c == null ? 0 : c.count();
    }

    private double fullPasses() {
        return registry.find("flotilla.scheduler.full.passes").counters().stream()
                .mapToDouble(Counter::count)
                .sum();
    }

    private double fullPasses(String why) {
        Counter c =
                registry.find("flotilla.scheduler.full.passes").tag("why", why).counter();
        return c == null ? 0 : c.count();
    }

    private boolean placed(UUID org, String machine, String unit) {
        try (PreparedStatement s = db.prepareStatement("select 1 from desired_unit where org_id = ? and machine_id = ?"
                + " and name = ? and unit_name is not null")) {
            s.setObject(1, org);
            s.setString(2, machine);
            s.setString(3, unit);
            try (ResultSet r = s.executeQuery()) {
                return r.next();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void listen() throws SQLException {
        try (Statement s = db.createStatement()) {
            s.execute("LISTEN " + SchedulingMarks.CHANNEL);
        }
    }

    /** The organizations marked within {@code window} (and since {@link #listen}). */
    private List<String> marks(Duration window) throws SQLException {
        List<String> out = new ArrayList<>();
        long end = System.nanoTime() + window.toNanos();
        PGConnection pg = db.unwrap(PGConnection.class);
        while (System.nanoTime() < end) {
            PGNotification[] notes = pg.getNotifications(100);
            if (notes != null) {
                for (PGNotification n : notes) {
                    out.add(n.getParameter());
                }
            }
        }
        return out;
    }

    private Org org(String name) {
        UUID id = tokens.org(name + "-" + tag);
        return new Org(id, tokens.api(id, Role.OPERATOR), tokens.enrollment(id, 10));
    }

    /** An organization of the test's own, with its operator and enrollment tokens. */
    private final class Org {
        final UUID id;
        final String operator;
        final String enrollment;
        String lastCredential;

        Org(UUID id, String operator, String enrollment) {
            this.id = id;
            this.operator = operator;
            this.enrollment = enrollment;
        }

        String machine() {
            String m = Fixtures.newMachineId();
            lastCredential = Fixtures.enroll(enrollment, m, "h-" + m.substring(0, 8));
            return m;
        }

        /** A global unit on the machines whose labels match {@code metadata} (every machine when empty). */
        String globalUnit(String metadata) {
            String name = "g-" + tag + ".service";
            as(operator)
                    .contentType("application/json")
                    .body("{\"content\":\"[Service]\\nExecStart=/bin/sleep 600\\n[X-Fleet]\\nGlobal=true\\n"
                            + (metadata.isEmpty() ? "" : "MachineMetadata=" + metadata + "\\n") + "\"}")
                    .put("/api/v1/units/" + name)
                    .then()
                    .statusCode(201);
            return name;
        }

        void labels(String machine, Map<String, String> labels) {
            as(operator)
                    .contentType("application/json")
                    .body(labels)
                    .patch("/api/v1/machines/" + machine + "/labels")
                    .then()
                    .statusCode(200);
        }
    }
}
