package dev.flotilla.service.web;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import org.junit.jupiter.api.Test;

import dev.flotilla.service.Fixtures;
import dev.flotilla.service.TestDatabase;
import dev.flotilla.service.TestTokens;
import dev.flotilla.service.overview.PresenceRollup;
import dev.flotilla.service.tenant.Role;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

import static dev.flotilla.service.Api.anonymous;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The overview at {@code /}: its counts match the fleet that was made, each count links to a list
 * of exactly those machines, failed units come first with their hosts, the presence history is
 * written and expires, and another organization's machines never show. Machines and unit states
 * are written straight into the tables (what agents would report), to keep the test fast.
 */
@QuarkusTest
@QuarkusTestResource(TestDatabase.class)
class OverviewPageTest {
    private static final Pattern MACHINE_LINK =
            Pattern.compile("<a href=\"(/machines\\?[^\"]+)\">(?:<span class=\"count\"[^>]*>)?(\\d+)");
    private static final Pattern MACHINE_ROW = Pattern.compile("<tr data-machine=\"");

    @Inject
    TestTokens tokens;

    @Inject
    EntityManager em;

    @Inject
    PresenceRollup rollup;

    /** An organization with a member who can sign in, and that member's browser. */
    private record Org(UUID id, String tag, UnitPagesTest.Browser browser) {}

    private Org org(String prefix) {
        String tag = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        UUID id = tokens.org(tag);
        tokens.person(id, "u-" + tag, "password of " + tag, Role.VIEWER);
        return new Org(id, tag, UnitPagesTest.Browser.signIn("u-" + tag, "password of " + tag));
    }

    private String machine(UUID org, String hostname, String presence, String os, String agent) {
        String id = Fixtures.newMachineId();
        QuarkusTransaction.requiringNew()
                .run(() -> em.createNativeQuery("insert into machine"
                                + " (org_id, id, hostname, credential_hash, presence, facts, agent_version)"
                                + " values (:o, :id, :h, decode(:id, 'hex'), :p, cast(:f as jsonb), :a)")
                        .setParameter("o", org)
                        .setParameter("id", id)
                        .setParameter("h", hostname)
                        .setParameter("p", presence)
                        .setParameter(
                                "f",
                                os == null
                                        ? null
                                        : "{\"os\":{\"id\":\"x\",\"versionId\":\"1\",\"prettyName\":\"" + os
                                                + "\"},\"cpus\":1,\"memoryBytes\":1,\"addresses\":[]}")
                        .setParameter("a", agent)
                        .executeUpdate());
        return id;
    }

    private void unit(UUID org, String name) {
        QuarkusTransaction.requiringNew()
                .run(() -> em.createNativeQuery("insert into unit"
                                + " (org_id, name, content, hash, target_state, global, updated_by)"
                                + " values (:o, :n, '[Service]', 'abcdef0', 'launched', true, 'test')")
                        .setParameter("o", org)
                        .setParameter("n", name)
                        .executeUpdate());
    }

    private void unitState(UUID org, String machine, String name, String state) {
        QuarkusTransaction.requiringNew()
                .run(() -> em.createNativeQuery("insert into machine_unit"
                                + " (org_id, machine_id, name, load_state, active_state, sub_state, managed, observed_at, seq)"
                                + " values (:o, :m, :n, 'loaded', :s, 'x', true, now(), 1)")
                        .setParameter("o", org)
                        .setParameter("m", machine)
                        .setParameter("n", name)
                        .setParameter("s", state)
                        .executeUpdate());
    }

    private static List<String> hostnames(String page) {
        Matcher m = Pattern.compile(
                        "<tr data-machine=\"[0-9a-f]+\">\\s*<td><a href=\"/machines/[0-9a-f]+\">([^<]+)</a>")
                .matcher(page);
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void shouldCountMachinesByPresenceOsAndAgentAndLinkEachCountToExactlyThoseMachines() {
        Org a = org("ov");
        Org b = org("other");
        for (int i = 0; i < 3; i++) {
            machine(a.id, "web-" + i + "-" + a.tag, "online", "Debian GNU/Linux 12 (bookworm)", "1.2.0");
        }
        for (int i = 0; i < 2; i++) {
            machine(a.id, "db-" + i + "-" + a.tag, "offline", "Fedora CoreOS 41", "1.1.0");
        }
        machine(a.id, "gone-" + a.tag, "lost", null, null);
        machine(b.id, "foreign-" + b.tag, "online", "Debian GNU/Linux 12 (bookworm)", "1.2.0");

        String page = a.browser.open("/").body().asString();
        assertThat(page)
                .contains("<a href=\"/\" aria-current=\"page\">Overview</a>")
                .contains("<a href=\"/machines\"><span class=\"count\" data-count=\"machines\">6</span> machines</a>")
                .contains("<a href=\"/machines?presence=online\"><span class=\"count\" data-count=\"online\">3</span>")
                .contains(
                        "<a href=\"/machines?presence=offline\"><span class=\"count\" data-count=\"offline\">2</span>")
                .contains("<a href=\"/machines?presence=lost\"><span class=\"count\" data-count=\"lost\">1</span>")
                .contains("<th scope=\"row\">Debian GNU/Linux 12 (bookworm)</th>"
                        + "<td><a href=\"/machines?os=Debian+GNU%2FLinux+12+%28bookworm%29\">3</a></td>")
                .contains(
                        "<th scope=\"row\">Fedora CoreOS 41</th><td><a href=\"/machines?os=Fedora+CoreOS+41\">2</a></td>")
                .contains("<th scope=\"row\">unknown</th><td><a href=\"/machines?os=unknown\">1</a></td>")
                .contains("<td><a href=\"/machines?agent=1.1.0\">2</a></td>")
                .contains("aria-live=\"polite\"")
                .contains("<script src=\"/static/overview-live.js\" defer></script>")
                .doesNotContain("foreign-")
                .doesNotContain("<th></th>");

        // Every count that links to machines leads to a list of exactly that many, all of this organization.
        Matcher links = MACHINE_LINK.matcher(page);
        Map<String, Integer> checked = new LinkedHashMap<>();
        while (links.find()) {
            // Decoded: RestAssured encodes the query again.
            String list = a.browser
                    .open(java.net.URLDecoder.decode(links.group(1), java.nio.charset.StandardCharsets.UTF_8))
                    .body()
                    .asString();
            int n = Integer.parseInt(links.group(2));
            assertThat(MACHINE_ROW.matcher(list).results().count())
                    .as(links.group(1))
                    .isEqualTo(n);
            assertThat(list).doesNotContain("foreign-");
            checked.put(links.group(1), n);
        }
        assertThat(checked)
                .containsKeys(
                        "/machines?presence=online",
                        "/machines?presence=lost",
                        "/machines?os=unknown",
                        "/machines?agent=1.2.0");
        assertThat(hostnames(a.browser.open("/machines?presence=offline").body().asString()))
                .containsExactly("db-0-" + a.tag, "db-1-" + a.tag);
        assertThat(hostnames(a.browser.open("/machines?agent=unknown").body().asString()))
                .containsExactly("gone-" + a.tag);
        assertThat(a.browser.open("/machines?os=Fedora CoreOS 41").body().asString())
                .contains("running <strong>Fedora CoreOS 41</strong>")
                .contains("<input type=\"hidden\" name=\"os\" value=\"Fedora CoreOS 41\">");

        // The other organization sees its own one machine.
        assertThat(b.browser.open("/").body().asString())
                .contains("data-count=\"machines\">1</span>")
                .doesNotContain("web-0-" + a.tag);
    }

    @Test
    void shouldListFailedUnitsFirstWithTheirHostNames() {
        Org a = org("units");
        String m1 = machine(a.id, "alpha-" + a.tag, "online", "Debian GNU/Linux 12 (bookworm)", "1.2.0");
        String m2 = machine(a.id, "bravo-" + a.tag, "online", "Debian GNU/Linux 12 (bookworm)", "1.2.0");
        unit(a.id, "a-fine.service");
        unit(a.id, "z-broken.service");
        unitState(a.id, m1, "a-fine.service", "active");
        unitState(a.id, m2, "a-fine.service", "active");
        unitState(a.id, m1, "z-broken.service", "failed");
        unitState(a.id, m2, "z-broken.service", "failed");

        String page = a.browser.open("/").body().asString();
        String units = page.substring(
                page.indexOf("id=\"overview-units\""), page.indexOf("</table>", page.indexOf("id=\"overview-units\"")));
        assertThat(units.indexOf("z-broken.service")).isLessThan(units.indexOf("a-fine.service"));
        assertThat(units)
                .contains("<span class=\"state failed\">2 failed</span>")
                .contains("<a href=\"/machines/" + m1 + "\">alpha-" + a.tag + "</a>, <a href=\"/machines/" + m2
                        + "\">bravo-" + a.tag + "</a>");
        assertThat(page)
                .contains(
                        "<span class=\"state failed\">2 failed</span></a>, <a href=\"/units\"><span class=\"state active\">2 active</span>");
    }

    @Test
    void shouldWriteThePresenceHistoryPerOrganizationAndDeleteItAfterTheRetention() {
        Org a = org("hist");
        Org empty = org("empty");
        machine(a.id, "h1-" + a.tag, "online", null, null);
        machine(a.id, "h2-" + a.tag, "lost", null, null);
        Instant now = Instant.now();
        OffsetDateTime old = OffsetDateTime.ofInstant(now.minus(Duration.ofDays(9)), ZoneOffset.UTC);
        QuarkusTransaction.requiringNew()
                .run(() -> em.createNativeQuery("insert into presence_rollup values (:o, :b, 5, 0, 0)")
                        .setParameter("o", a.id)
                        .setParameter("b", old)
                        .executeUpdate());

        boolean rolled = false;
        for (int i = 0; i < 5 && !rolled; i++) {
            rolled = rollup.roll(now); // false only while the scheduled round holds the lock
        }
        assertThat(rolled).isTrue();

        List<?> rows = QuarkusTransaction.requiringNew()
                .call(() -> em.createNativeQuery(
                                "select online, offline, lost, bucket from presence_rollup where org_id = :o order by bucket")
                        .setParameter("o", a.id)
                        .getResultList());
        assertThat(rows).hasSize(1); // the 9-day-old bucket is gone
        Object[] row = (Object[]) rows.get(0);
        assertThat(List.of(((Number) row[0]).intValue(), ((Number) row[1]).intValue(), ((Number) row[2]).intValue()))
                .containsExactly(1, 0, 1);
        assertThat(dev.flotilla.service.common.SqlValues.instant(row[3]).getEpochSecond() % 300)
                .isZero();

        String page = a.browser.open("/").body().asString();
        assertThat(page)
                .contains("<svg class=\"chart\" role=\"img\"")
                .contains("aria-labelledby=\"day-title day-desc\"")
                .contains("<title id=\"day-title\">Machines by presence, last 24 hours</title>")
                .contains("<summary>Machines by presence, last 24 hours as a table</summary>")
                .contains("<td>1</td><td>0</td><td>1</td></tr>")
                .contains("online: 1 now");
        // A new organization without history says so in words.
        assertThat(empty.browser.open("/").body().asString())
                .doesNotContain("<svg")
                .contains("Machines by presence, last 24 hours: no history yet.");
    }

    @Test
    void shouldListThePoliciesThatUpdateEvenBehindManyWithOnlyExpiredLeases() {
        Org a = org("pol");
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        QuarkusTransaction.requiringNew().run(() -> {
            // Eleven policies whose only lease expired without ending (nothing updating, nothing
            // done), named before the one that completed an update an hour ago.
            for (int i = 0; i <= 11; i++) {
                String name = i < 11 ? String.format("a%02d", i) : "zz-done";
                UUID policy = UUID.randomUUID();
                em.createNativeQuery(
                                "insert into update_policy (org_id, id, name, created_by) values (:o, :p, :n, 'test')")
                        .setParameter("o", a.id)
                        .setParameter("p", policy)
                        .setParameter("n", name)
                        .executeUpdate();
                boolean done = i == 11;
                em.createNativeQuery(
                                "insert into update_lease (org_id, policy_id, holder, kind, granted_at, expires_at,"
                                        + " ended_at, outcome) values (:o, :p, :h, 'agent', :g, :x, :e, :out)")
                        .setParameter("o", a.id)
                        .setParameter("p", policy)
                        .setParameter("h", "host-" + i)
                        .setParameter("g", now.minusHours(3))
                        .setParameter("x", now.minusHours(2))
                        .setParameter("e", done ? now.minusHours(1) : null)
                        .setParameter("out", done ? "complete" : null)
                        .executeUpdate();
            }
        });
        String page = a.browser.open("/").body().asString();
        assertThat(page).contains("<a href=\"/updates/zz-done\">zz-done</a>").doesNotContain("/updates/a00\"");
    }

    @Test
    void shouldSendAnonymousCallersToSignIn() {
        var r = anonymous().redirects().follow(false).get("/");
        assertThat(r.statusCode()).isEqualTo(303);
        assertThat(r.header("Location")).endsWith("/login");
    }
}
