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
import dev.flotilla.service.auth.Role;
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
                                "lengthMinutes",
                                120,
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
                        .getBoolean("enabled"))
                .isFalse();
        String pausedPage = admin.open("/updates/" + name).body().asString();
        assertThat(pausedPage).contains("Paused: paused by account:admin").contains("Resume updates");
        assertThat(admin.post("/updates/" + name + "/resume", Map.of()).statusCode())
                .isEqualTo(303);
        assertThat(as(operator)
                        .get("/api/v1/update-policies/" + name)
                        .jsonPath()
                        .getBoolean("enabled"))
                .isTrue();
    }

    @Test
    void shouldShowAMachinesPolicyAndWhyItMayNotUpdateNow() {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String id = Fixtures.newMachineId();
        Fixtures.enroll(tokens.enrollment(1), id, "mu-" + tag);
        String operator = tokens.api(Role.OPERATOR);
        as(operator)
                .contentType(ContentType.JSON)
                .body(Map.of("paused", true))
                .put("/api/v1/machines/" + id + "/update/paused")
                .then()
                .statusCode(200);
        UnitPagesTest.Browser admin = UnitPagesTest.Browser.signIn("admin", "test-admin-password");
        String page = admin.open("/machines/" + id).body().asString();
        assertThat(page)
                .contains("<a href=\"/updates/default\">default</a>")
                .contains("updates are paused for this machine");
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
