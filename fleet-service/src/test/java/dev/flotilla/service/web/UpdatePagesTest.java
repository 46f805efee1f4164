package dev.flotilla.service.web;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.flotilla.service.Fixtures;
import dev.flotilla.service.TestDatabase;
import dev.flotilla.service.TestTokens;
import dev.flotilla.service.tenant.Role;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

import static dev.flotilla.service.Api.as;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard's update pages over HTTP: the policies, a policy's calendar hour by hour in its
 * zone (or another), its leases, pause and resume behind a CSRF token, and a machine's update
 * status on its page.
 */
@QuarkusTest
@QuarkusTestResource(TestDatabase.class)
class UpdatePagesTest {
    private static final Pattern OPEN_CELL = Pattern.compile("<td class=\"open\"");

    @Inject
    TestTokens tokens;

    @Test
    void shouldDrawThePolicysWindowsHourByHourInItsZoneOrAnother() {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String name = "cal-" + tag;
        String operator = tokens.api(Role.OPERATOR);
        as(operator)
                .contentType(ContentType.JSON)
                .body(Map.of(
                        "name",
                        name,
                        "selector",
                        "cal=" + tag,
                        "maxParallel",
                        "2",
                        "windows",
                        List.of(Map.of(
                                "days",
                                List.of("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"),
                                "start",
                                "02:00",
                                "length",
                                "PT2H",
                                "timeZone",
                                "Asia/Tokyo"))))
                .post("/api/v1/update-policies")
                .then()
                .statusCode(201);
        UnitPagesTest.Browser admin = UnitPagesTest.Browser.signIn("admin", "test-admin-password");

        String list = admin.open("/updates").body().asString();
        assertThat(list).contains("href=\"/updates/" + name + "\"").contains("href=\"/updates/default\"");

        // Every day 02:00-04:00 in Tokyo: two hours a day for 7 days in its own zone...
        String page = admin.open("/updates/" + name).body().asString();
        assertThat(page).contains("hours in Asia/Tokyo").contains("title=\"open 02:00–04:00\"");
        // Durations as people read them (the API says PT2H and PT1H).
        assertThat(page).contains(", 2 h, Asia/Tokyo").contains("<dt>Timeout</dt><dd>1 h</dd>");
        assertThat(count(OPEN_CELL, page)).isEqualTo(14);
        // ...which is 17:00-19:00 UTC (Tokyo has no DST): still two hours a day, at other hours.
        String utc = admin.open("/updates/" + name + "?tz=UTC").body().asString();
        assertThat(utc).contains("title=\"open 17:00–19:00\"");
        assertThat(count(OPEN_CELL, utc)).isBetween(12, 14); // the first UTC day may start inside a window
        assertThat(admin.open("/updates/" + name + "?tz=Mars/Base").statusCode())
                .isEqualTo(400);
        assertThat(admin.open("/updates/nosuch-" + tag).statusCode()).isEqualTo(404);

        // Pause and resume, with the page's CSRF token.
        admin.open("/updates/" + name);
        Response paused = admin.post("/updates/" + name + "/pause", Map.of());
        assertThat(paused.statusCode()).isEqualTo(303);
        assertThat(as(operator)
                        .get("/api/v1/update-policies/" + name)
                        .jsonPath()
                        .getBoolean("paused"))
                .isTrue();
        String pausedPage = admin.open("/updates/" + name).body().asString();
        assertThat(pausedPage).contains("Paused: paused by account:admin").contains("Resume updates");
        assertThat(admin.post("/updates/" + name + "/resume", Map.of()).statusCode())
                .isEqualTo(303);
        assertThat(as(operator)
                        .get("/api/v1/update-policies/" + name)
                        .jsonPath()
                        .getBoolean("paused"))
                .isFalse();

        // Cancel asks first.
        assertThat(admin.open("/updates/" + name + "/cancel").body().asString())
                .contains("Cancel the updates of " + name + "?");
        assertThat(as(operator)
                        .get("/api/v1/update-policies/" + name)
                        .jsonPath()
                        .getBoolean("paused"))
                .isFalse();
        assertThat(admin.post("/updates/" + name + "/cancel", Map.of()).statusCode())
                .isEqualTo(303);
        assertThat(as(operator)
                        .get("/api/v1/update-policies/" + name)
                        .jsonPath()
                        .getString("pausedReason"))
                .isEqualTo("updates cancelled by account:admin");
        assertThat(admin.open("/updates/default/cancel").statusCode()).isEqualTo(404);
    }

    @Test
    void shouldShowAMachinesPolicyAndWhyItMayNotUpdateNow() {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String id = Fixtures.newMachineId();
        Fixtures.enroll(tokens.enrollment(1), id, "mu-" + tag);
        String operator = tokens.api(Role.OPERATOR);
        as(operator).post("/api/v1/machines/" + id + "/update/pause").then().statusCode(200);
        UnitPagesTest.Browser admin = UnitPagesTest.Browser.signIn("admin", "test-admin-password");
        String page = admin.open("/machines/" + id).body().asString();
        assertThat(page)
                .contains("<a href=\"/updates/default\">default</a>")
                .contains("updates are paused for this machine");
    }

    @Test
    void shouldLetAnAdminCreateAFleetLockUrlShownOnceAndRevokeItAfterAConfirmation() {
        UnitPagesTest.Browser admin = UnitPagesTest.Browser.signIn("admin", "test-admin-password");
        assertThat(admin.open("/updates").body().asString()).contains("FleetLock URLs");
        String created = admin.post("/updates/fleetlock", Map.of()).body().asString();
        Matcher m = Pattern.compile("id=\"fleetlock-url\">[^<]*(/fleetlock/flk_[A-Za-z0-9_-]+)</code>")
                .matcher(created);
        assertThat(m.find()).as(created).isTrue();
        String path = m.group(1);
        assertThat(lock(path).statusCode()).isEqualTo(200);
        // Shown once: the list shows its id, never the secret again.
        assertThat(admin.open("/updates").body().asString()).doesNotContain(path);
        String id = as(tokens.api(Role.ADMIN))
                .get("/api/v1/fleetlock-urls")
                .jsonPath()
                .getString("[0].id");
        assertThat(admin.open("/updates/fleetlock/" + id + "/revoke").body().asString())
                .contains("Revoke this FleetLock URL?");
        assertThat(lock(path).statusCode()).isEqualTo(200); // asking changed nothing (the same node: recursive)
        assertThat(fleetLock(path, "steady-state").statusCode()).isEqualTo(200); // leave the default slot free
        assertThat(admin.post("/updates/fleetlock/" + id + "/revoke", Map.of()).statusCode())
                .isEqualTo(303);
        assertThat(lock(path).statusCode()).isEqualTo(404);
        assertThat(admin.open("/updates/fleetlock/" + UUID.randomUUID() + "/revoke")
                        .statusCode())
                .isEqualTo(404);
    }

    @Test
    void shouldListAPolicysMachinesWithTheirProgressLeavingOutThoseAnotherPolicyTakes() {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String operator = tokens.api(Role.OPERATOR);
        String mine = Fixtures.newMachineId();
        String taken = Fixtures.newMachineId();
        String enroll = tokens.enrollment(2);
        Fixtures.enroll(enroll, mine, "pm-a-" + tag);
        Fixtures.enroll(enroll, taken, "pm-b-" + tag);
        as(operator)
                .contentType(ContentType.JSON)
                .body(Map.of("pm", tag))
                .patch("/api/v1/machines/" + mine + "/labels")
                .then()
                .statusCode(200);
        as(operator)
                .contentType(ContentType.JSON)
                .body(Map.of("pm", tag, "tier", "first"))
                .patch("/api/v1/machines/" + taken + "/labels")
                .then()
                .statusCode(200);
        as(operator)
                .contentType(ContentType.JSON)
                .body(Map.of("name", "pm-" + tag, "selector", "pm=" + tag))
                .post("/api/v1/update-policies")
                .then()
                .statusCode(201);
        as(operator)
                .contentType(ContentType.JSON)
                .body(Map.of("name", "pm-first-" + tag, "selector", "pm=" + tag + ",tier=first", "priority", 10))
                .post("/api/v1/update-policies")
                .then()
                .statusCode(201);

        io.restassured.path.json.JsonPath page = as(tokens.api(Role.VIEWER))
                .get("/api/v1/update-policies/pm-" + tag + "/machines")
                .jsonPath();
        assertThat(page.getList("items.machineId")).containsExactly(mine);
        assertThat(page.getString("items[0].progress")).isEqualTo("idle");
        UnitPagesTest.Browser admin = UnitPagesTest.Browser.signIn("admin", "test-admin-password");
        String html = admin.open("/updates/pm-" + tag).body().asString();
        assertThat(html).contains("href=\"/machines/" + mine + "\"").doesNotContain("href=\"/machines/" + taken + "\"");
        as(operator)
                .get("/api/v1/update-policies/nosuch-" + tag + "/machines")
                .then()
                .statusCode(404);
    }

    private static Response lock(String path) {
        return fleetLock(path, "pre-reboot");
    }

    private static Response fleetLock(String path, String op) {
        return dev.flotilla.service.Api.fleetLock(path, op, "default", "pages-node");
    }

    private static int count(Pattern p, String s) {
        Matcher m = p.matcher(s);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
