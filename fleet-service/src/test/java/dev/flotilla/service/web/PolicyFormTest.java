package dev.flotilla.service.web;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.flotilla.service.Fixtures;
import dev.flotilla.service.TestDatabase;
import dev.flotilla.service.TestTokens;
import dev.flotilla.service.tenant.Organizations;
import dev.flotilla.service.tenant.Role;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import static dev.flotilla.service.Api.as;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The update policy form over HTTP, signed in as a person: create and edit with weekly and cron
 * windows (read back through the API), "Add a window" without saving, a preview of the next
 * openings and the machines it would take that saves nothing, every refusal a 400 (409 for a
 * taken name) with the API's words beside the field and the input kept, delete after a
 * confirmation, pause with a reason, viewers and posts without a CSRF token refused.
 */
@QuarkusTest
@QuarkusTestResource(TestDatabase.class)
class PolicyFormTest {
    private static final Pattern ROW = Pattern.compile("<tr><td>");

    @Inject
    TestTokens tokens;

    String operator;
    String tag;
    UnitPagesTest.Browser admin;

    @BeforeEach
    void setUp() {
        operator = tokens.api(Role.OPERATOR);
        tag = UUID.randomUUID().toString().substring(0, 8);
        admin = UnitPagesTest.Browser.signIn("admin", "test-admin-password");
    }

    @Test
    void shouldCreateAPolicyWithAWeeklyAndACronWindowThenEditIt() {
        String name = "form-" + tag;
        assertThat(admin.open("/updates").body().asString()).contains("href=\"/updates/new\"");
        admin.open("/updates/new");
        Map<String, List<String>> form = twoWindows(name);
        Response saved = post(admin, "/updates/new", form, "save");
        assertThat(saved.statusCode()).as(saved.body().asString()).isEqualTo(303);
        assertThat(saved.header("Location")).endsWith("/updates/" + name);

        JsonPath p = policy(name);
        assertThat(p.getString("selector")).isEqualTo("form=" + tag);
        assertThat(p.getInt("priority")).isEqualTo(50);
        assertThat(p.getList("windows[0].days")).containsExactly("SAT", "SUN");
        assertThat(p.getString("windows[0].start")).isEqualTo("02:00");
        assertThat(p.getString("windows[0].length")).isEqualTo("PT4H");
        assertThat(p.getString("windows[0].timeZone")).isEqualTo("Europe/Berlin");
        assertThat(p.getString("windows[1].cron")).isEqualTo("30 3 * * 1-5");
        assertThat(p.getString("windows[1].length")).isEqualTo("PT1H30M");
        assertThat(p.getString("windows[1].timeZone")).isEqualTo("UTC");
        assertThat(p.getList("windows")).hasSize(2); // the empty third row is left out
        assertThat(p.getString("maxParallel")).isEqualTo("10%");
        assertThat(p.getInt("maxPerPeriod")).isEqualTo(5);
        assertThat(p.getString("period")).isEqualTo("PT1H");
        assertThat(p.getString("updateTimeout")).isEqualTo("PT2H");
        assertThat(p.getBoolean("safeMode")).isTrue();
        assertThat(p.getInt("safeModeFailures")).isEqualTo(2);
        assertThat(p.getBoolean("paused")).isFalse();
        // The same service method as the API: the same audit entry.
        assertThat(as(tokens.api(Role.ADMIN))
                        .get("/api/v1/audit?action=update-policy.create&targetId=" + name)
                        .jsonPath()
                        .getList("items.actor"))
                .containsExactly("account:admin");

        // The edit form shows it as stored, durations as people read them, plus an empty row.
        String edit = admin.open("/updates/" + name + "/edit").body().asString();
        assertThat(edit)
                .contains("value=\"0:SAT\" checked", "value=\"0:SUN\" checked")
                .contains("value=\"4 h\"", "value=\"1 h 30 min\"", "value=\"30 3 * * 1-5\"")
                .contains("id=\"window-2\"")
                .doesNotContain("id=\"window-3\"");
        Map<String, List<String>> changed = new LinkedHashMap<>(form);
        changed.put("maxParallel", List.of("2"));
        Response removed = post(admin, "/updates/" + name + "/edit", changed, "remove:0");
        assertThat(removed.statusCode()).isEqualTo(200);
        assertThat(removed.body().asString())
                .contains("id=\"w0-cron\" name=\"cron\" value=\"30 3 * * 1-5\"")
                .doesNotContain("value=\"0:SAT\" checked");
        changed.put("kind", List.of("cron"));
        changed.put("day", List.of());
        changed.put("start", List.of(""));
        changed.put("cron", List.of("30 3 * * 1-5"));
        changed.put("length", List.of("90 min"));
        changed.put("zone", List.of("UTC"));
        assertThat(post(admin, "/updates/" + name + "/edit", changed, "save").statusCode())
                .isEqualTo(303);
        JsonPath after = policy(name);
        assertThat(after.getList("windows")).hasSize(1);
        assertThat(after.getString("windows[0].cron")).isEqualTo("30 3 * * 1-5");
        assertThat(after.getString("maxParallel")).isEqualTo("2");
        assertThat(as(tokens.api(Role.ADMIN))
                        .get("/api/v1/audit?action=update-policy.replace&targetId=" + name)
                        .jsonPath()
                        .getList("items"))
                .hasSize(1);
    }

    @Test
    void shouldAddAWindowRowWithoutSavingAnything() {
        String name = "rows-" + tag;
        admin.open("/updates/new");
        Map<String, List<String>> form = new LinkedHashMap<>(twoWindows(name));
        Response added = post(admin, "/updates/new", form, "add");
        assertThat(added.statusCode()).isEqualTo(200);
        String html = added.body().asString();
        assertThat(html)
                .contains("id=\"window-3\"")
                .doesNotContain("id=\"window-4\"")
                .contains(
                        "value=\"0:SAT\" checked", "value=\"4h\"", "value=\"30 3 * * 1-5\"", "value=\"Europe/Berlin\"")
                .contains("<legend>Window 4</legend>")
                .doesNotContain("role=\"alert\"");
        as(operator).get("/api/v1/update-policies/" + name).then().statusCode(404);
    }

    @Test
    void shouldPreviewTheNextOpeningsAndTheMachinesItWouldTakeSavingNothing() {
        String enroll = tokens.enrollment(3);
        String a = machine(enroll, "pv-a-" + tag, Map.of("pv", tag));
        String b = machine(enroll, "pv-b-" + tag, Map.of("pv", tag));
        String c = machine(enroll, "pv-c-" + tag, Map.of("pv", tag, "tier", "first"));
        apiPolicy("pv-first-" + tag, "pv=" + tag + ",tier=first", 10);
        apiPolicy("pv-last-" + tag, "pv=" + tag, 500);
        String name = "pv-" + tag;

        admin.open("/updates/new");
        Map<String, List<String>> form = new LinkedHashMap<>(blank(name));
        form.put("selector", List.of("pv=" + tag));
        form.put("kind", List.of("weekly"));
        form.put("day", List.of("0:MON", "0:TUE", "0:WED", "0:THU", "0:FRI", "0:SAT", "0:SUN"));
        form.put("start", List.of("02:00"));
        form.put("length", List.of("2h"));
        form.put("zone", List.of("Asia/Tokyo"));
        Response preview = post(admin, "/updates/new", form, "preview");
        assertThat(preview.statusCode()).as(preview.body().asString()).isEqualTo(200);
        String html = preview.body().asString();
        assertThat(html)
                .contains("Preview: nothing saved yet")
                .contains("Opens (Asia/Tokyo)")
                .contains("Opens (UTC)");
        // Every day 02:00-04:00 in Tokyo, which is 17:00-19:00 UTC: the next 10 of them.
        String openings = section(html, "id=\"preview-openings\"", "</table>");
        assertThat(count(ROW, openings)).isEqualTo(10);
        assertThat(openings).contains(" 02:00</td><td>", " 04:00</td><td>", " 17:00</td><td>", " 19:00</td></tr>");
        // Three machines match; c stays with the policy of priority 10, a and b move from the one of 500.
        assertThat(html).contains("The selector matches 3 machine(s).").contains("2 of those shown would move");
        String machines = section(html, "id=\"preview-machines\"", "</table>");
        assertThat(machines)
                .contains("<a href=\"/machines/" + a + "\">pv-a-" + tag + "</a>")
                .contains("<a href=\"/machines/" + b + "\">pv-b-" + tag + "</a>")
                .contains("<a href=\"/machines/" + c + "\">pv-c-" + tag + "</a>")
                .contains("moves here from pv-last-" + tag)
                .contains("stays with pv-first-" + tag);
        // Nothing saved, and the form is still there to save it.
        as(operator).get("/api/v1/update-policies/" + name).then().statusCode(404);
        assertThat(html).contains("value=\"0:WED\" checked").contains("value=\"Asia/Tokyo\"");
        assertThat(post(admin, "/updates/new", form, "save").statusCode()).isEqualTo(303);
        assertThat(as(operator)
                        .get("/api/v1/update-policies/" + name + "/machines")
                        .jsonPath()
                        .getList("items.machineId"))
                .containsExactlyInAnyOrder(a, b);
    }

    @Test
    void shouldRefuseEachBadInputWithTheApisWordsBesideTheFieldAndKeepWhatWasTyped() {
        String name = "bad-" + tag;
        admin.open("/updates/new");

        refused(window(name, "cron", List.of(), "", "61 * * * *", "1 h", "UTC"), "w0-cron", "61 * * * *");
        refused(window(name, "weekly", List.of("0:MON"), "02:00", "", "1 h", "Mars/Base"), "w0-zone", "Mars/Base");
        refused(
                window(name, "weekly", List.of("0:MON"), "02:00", "", "4 fortnights", "UTC"),
                "w0-length",
                "4 fortnights");
        refused(
                window(
                        name,
                        "weekly",
                        List.of("0:MON", "0:TUE", "0:WED", "0:THU", "0:FRI", "0:SAT", "0:SUN"),
                        "02:00",
                        "",
                        "25 h",
                        "UTC"),
                "w0-length",
                "25 h");
        refused(window(name, "weekly", List.of("0:MON"), "25:00", "", "1 h", "UTC"), "w0-start", "25:00");

        Map<String, List<String>> selector = new LinkedHashMap<>(blank(name));
        selector.put("selector", List.of("role in (web"));
        refused(selector, "selector", "role in (web");
        Map<String, List<String>> max = new LinkedHashMap<>(blank(name));
        max.put("maxParallel", List.of("lots"));
        refused(max, "maxParallel", "lots");
        Map<String, List<String>> priority = new LinkedHashMap<>(blank(name));
        priority.put("priority", List.of("high"));
        refused(priority, "priority", "high");
        Map<String, List<String>> period = new LinkedHashMap<>(blank(name));
        period.put("maxPerPeriod", List.of("3"));
        period.put("period", List.of("a while"));
        refused(period, "period", "a while");
        Map<String, List<String>> badName = new LinkedHashMap<>(blank("no spaces " + tag));
        refused(badName, "name", "no spaces " + tag);

        // More windows than the API allows: the 21st row is refused as the API refuses 21 windows.
        Map<String, List<String>> many = new LinkedHashMap<>(blank(name));
        List<String> kinds = new ArrayList<>();
        List<String> days = new ArrayList<>();
        for (int i = 0; i < 21; i++) {
            kinds.add("weekly");
            days.add(i + ":MON");
        }
        many.put("kind", kinds);
        many.put("day", days);
        many.put("start", Collections.nCopies(21, "02:00"));
        many.put("cron", Collections.nCopies(21, ""));
        many.put("length", Collections.nCopies(21, "1 h"));
        many.put("zone", Collections.nCopies(21, "UTC"));
        Response tooMany = post(admin, "/updates/new", many, "save");
        assertThat(tooMany.statusCode()).isEqualTo(400);
        assertThat(unescape(tooMany.body().asString()))
                .contains("id=\"windows-error\">at most 20 windows, not 21</p>")
                .contains("id=\"window-20\"")
                .doesNotContain("id=\"add-window\"");

        // A taken name: the API's 409 and its words.
        apiPolicy("taken-" + tag, "x=" + tag, 100);
        Response taken = post(admin, "/updates/new", blank("taken-" + tag), "preview");
        assertThat(taken.statusCode()).isEqualTo(409);
        assertThat(taken.body().asString())
                .contains("id=\"name-error\">an update policy named taken-" + tag + " exists already</p>");
        as(operator).get("/api/v1/update-policies/" + name).then().statusCode(404);
    }

    @Test
    void shouldAskBeforeDeletingThenDelete() {
        String name = "del-" + tag;
        apiPolicy(name, "del=" + tag, 100);
        assertThat(admin.open("/updates/" + name).body().asString())
                .contains("href=\"/updates/" + name + "/delete\"")
                .contains("href=\"/updates/" + name + "/edit\"");
        assertThat(admin.open("/updates/" + name + "/delete").body().asString())
                .contains("Delete the update policy " + name + "?");
        as(operator).get("/api/v1/update-policies/" + name).then().statusCode(200);
        Response deleted = admin.post("/updates/" + name + "/delete", Map.of());
        assertThat(deleted.statusCode()).isEqualTo(303);
        assertThat(deleted.header("Location")).endsWith("/updates");
        as(operator).get("/api/v1/update-policies/" + name).then().statusCode(404);
        assertThat(admin.open("/updates/default/delete").statusCode()).isEqualTo(404);
        assertThat(admin.open("/updates/default/edit").statusCode()).isEqualTo(404);
    }

    @Test
    void shouldPauseWithAReasonAndResume() {
        String name = "ps-" + tag;
        apiPolicy(name, "ps=" + tag, 100);
        assertThat(admin.open("/updates/" + name).body().asString())
                .contains("<label for=\"reason\">")
                .contains("Pause updates");
        Response tooLong = admin.post("/updates/" + name + "/pause", Map.of("reason", "x".repeat(201)));
        assertThat(tooLong.statusCode()).isEqualTo(400);
        assertThat(tooLong.body().asString())
                .contains("id=\"reason-error\">reason must be at most 200 characters</p>")
                .contains("value=\"" + "x".repeat(201) + "\"");
        assertThat(policy(name).getBoolean("paused")).isFalse();
        // PostgreSQL's text cannot hold U+0000: bad input, answered 400, never a 500
        admin.open("/updates/" + name);
        Response nul = admin.post("/updates/" + name + "/pause", Map.of("reason", "a\u0000b"));
        assertThat(nul.statusCode()).isEqualTo(400);
        assertThat(nul.body().asString()).contains("NUL");
        assertThat(policy(name).getBoolean("paused")).isFalse();

        admin.open("/updates/" + name);
        assertThat(admin.post("/updates/" + name + "/pause", Map.of("reason", "kernel freeze"))
                        .statusCode())
                .isEqualTo(303);
        assertThat(policy(name).getString("pausedReason")).isEqualTo("paused by account:admin: kernel freeze");
        String paused = admin.open("/updates/" + name).body().asString();
        assertThat(paused)
                .contains("Paused: paused by account:admin: kernel freeze")
                .contains("Resume updates");
        assertThat(admin.post("/updates/" + name + "/resume", Map.of()).statusCode())
                .isEqualTo(303);
        assertThat(policy(name).getBoolean("paused")).isFalse();
    }

    @Test
    void shouldShowViewersThePoliciesButNoButtonAndRefuseTheirPosts() {
        String name = "vw-" + tag;
        apiPolicy(name, "vw=" + tag, 100);
        String user = "pviewer-" + tag;
        tokens.person(Organizations.DEFAULT, user, "viewer password " + tag, Role.VIEWER);
        UnitPagesTest.Browser viewer = UnitPagesTest.Browser.signIn(user, "viewer password " + tag);

        assertThat(viewer.open("/updates").body().asString())
                .contains("href=\"/updates/" + name + "\"")
                .doesNotContain("/updates/new");
        assertThat(viewer.open("/updates/" + name).body().asString())
                .contains(name)
                .doesNotContain("/edit\"")
                .doesNotContain("/delete\"")
                .doesNotContain("Pause updates");
        assertThat(viewer.open("/updates/new").statusCode()).isEqualTo(403);
        assertThat(viewer.open("/updates/" + name + "/edit").statusCode()).isEqualTo(403);
        assertThat(viewer.open("/updates/" + name + "/delete").statusCode()).isEqualTo(403);
        viewer.open("/updates/" + name);
        assertThat(post(viewer, "/updates/new", blank("v-" + tag), "save").statusCode())
                .isEqualTo(403);
        assertThat(post(viewer, "/updates/" + name + "/edit", blank(name), "save")
                        .statusCode())
                .isEqualTo(403);
        assertThat(viewer.post("/updates/" + name + "/pause", Map.of("reason", "no"))
                        .statusCode())
                .isEqualTo(403);
        assertThat(viewer.post("/updates/" + name + "/delete", Map.of()).statusCode())
                .isEqualTo(403);
        as(operator).get("/api/v1/update-policies/v-" + tag).then().statusCode(404);
        assertThat(policy(name).getBoolean("paused")).isFalse();
    }

    @Test
    void shouldRefuseAPostWithoutItsCsrfToken() {
        String name = "csrf-" + tag;
        apiPolicy(name, "csrf=" + tag, 100);
        admin.open("/updates/new");
        for (String path : List.of(
                "/updates/new",
                "/updates/" + name + "/edit",
                "/updates/" + name + "/pause",
                "/updates/" + name + "/delete")) {
            Response none = given().redirects()
                    .follow(false)
                    .cookie("quarkus-credential", admin.session)
                    .contentType(ContentType.URLENC)
                    .formParam("name", "csrf2-" + tag)
                    .formParam("intent", "save")
                    .post(path);
            assertThat(none.statusCode()).as(path).isEqualTo(400);
        }
        as(operator).get("/api/v1/update-policies/csrf2-" + tag).then().statusCode(404);
        assertThat(policy(name).getBoolean("paused")).isFalse();
    }

    /** Posts the form with {@code intent} and asserts a 400 naming the field, its value kept. */
    private void refused(Map<String, List<String>> form, String field, String kept) {
        Response r = post(admin, "/updates/new", form, "save");
        String html = unescape(r.body().asString());
        assertThat(r.statusCode()).as(html).isEqualTo(400);
        assertThat(html).contains("role=\"alert\"");
        Matcher error = Pattern.compile(
                        "id=\"(" + Pattern.quote(field.startsWith("w0-") ? "w0" : field) + ")-error\">([^<]+)</p>")
                .matcher(html);
        assertThat(error.find()).as(field + " in " + html).isTrue();
        assertThat(html)
                .containsPattern("id=\"" + Pattern.quote(field) + "\"[^>]*value=\"" + Pattern.quote(kept)
                        + "\"[^>]*aria-describedby=\"[^\"]*" + error.group(1) + "-error");
        // The API refuses the same with the same words (the form shows a window's without its "windows[0]: ").
        if (!field.equals("priority")) {
            Response api =
                    as(operator).contentType(ContentType.JSON).body(json(form)).post("/api/v1/update-policies");
            assertThat(api.statusCode()).isEqualTo(400);
            assertThat(api.jsonPath().getString("detail")).endsWith(error.group(2));
        }
    }

    private static Map<String, Object> json(Map<String, List<String>> form) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", form.get("name").get(0));
        body.put("selector", form.get("selector").get(0));
        body.put("maxParallel", form.get("maxParallel").get(0));
        if (!form.get("maxPerPeriod").get(0).isEmpty()) {
            body.put("maxPerPeriod", Integer.valueOf(form.get("maxPerPeriod").get(0)));
            body.put("period", form.get("period").get(0));
        }
        List<Map<String, Object>> windows = new ArrayList<>();
        for (int i = 0; i < form.get("kind").size(); i++) {
            if (form.get("length").get(i).isEmpty()) {
                continue;
            }
            Map<String, Object> w = new LinkedHashMap<>();
            String length = DurationInput.iso(form.get("length").get(i));
            w.put("length", length);
            w.put("timeZone", form.get("zone").get(i));
            if (form.get("kind").get(i).equals("cron")) {
                w.put("cron", form.get("cron").get(i));
            } else {
                int row = i;
                w.put(
                        "days",
                        form.get("day").stream()
                                .filter(d -> d.startsWith(row + ":"))
                                .map(d -> d.substring(d.indexOf(':') + 1))
                                .toList());
                w.put("start", form.get("start").get(i));
            }
            windows.add(w);
        }
        body.put("windows", windows);
        return body;
    }

    private static Map<String, List<String>> twoWindows(String name) {
        Map<String, List<String>> f = new LinkedHashMap<>(blank(name));
        f.put("selector", List.of("form=" + name.substring(name.indexOf('-') + 1)));
        f.put("priority", List.of("50"));
        f.put("kind", List.of("weekly", "cron", "weekly"));
        f.put("day", List.of("0:SAT", "0:SUN"));
        f.put("start", List.of("02:00", "", ""));
        f.put("cron", List.of("", "30 3 * * 1-5", ""));
        f.put("length", List.of("4h", "90 min", ""));
        f.put("zone", List.of("Europe/Berlin", "UTC", "UTC"));
        f.put("maxParallel", List.of("10%"));
        f.put("maxPerPeriod", List.of("5"));
        f.put("period", List.of("1 h"));
        f.put("updateTimeout", List.of("2 h"));
        f.put("safeMode", List.of("true"));
        f.put("safeModeFailures", List.of("2"));
        return f;
    }

    private static Map<String, List<String>> window(
            String name, String kind, List<String> days, String start, String cron, String length, String zone) {
        Map<String, List<String>> f = new LinkedHashMap<>(blank(name));
        f.put("kind", List.of(kind));
        f.put("day", days);
        f.put("start", List.of(start));
        f.put("cron", List.of(cron));
        f.put("length", List.of(length));
        f.put("zone", List.of(zone));
        return f;
    }

    private static Map<String, List<String>> blank(String name) {
        Map<String, List<String>> f = new LinkedHashMap<>();
        f.put("name", List.of(name));
        f.put("selector", List.of(""));
        f.put("priority", List.of("100"));
        f.put("kind", List.of("weekly"));
        f.put("day", List.of());
        f.put("start", List.of(""));
        f.put("cron", List.of(""));
        f.put("length", List.of(""));
        f.put("zone", List.of("UTC"));
        f.put("maxParallel", List.of("1"));
        f.put("maxPerPeriod", List.of(""));
        f.put("period", List.of(""));
        f.put("updateTimeout", List.of("1 h"));
        f.put("safeModeFailures", List.of("1"));
        return f;
    }

    /** Posts a form with repeated fields as a browser does, with the last page's CSRF token. */
    private static Response post(
            UnitPagesTest.Browser browser, String path, Map<String, List<String>> fields, String intent) {
        RequestSpecification s = given().redirects()
                .follow(false)
                .cookie("quarkus-credential", browser.session)
                .contentType(ContentType.URLENC.withCharset(StandardCharsets.UTF_8));
        if (browser.csrfCookie != null) {
            s = s.cookie("csrf-token", browser.csrfCookie).formParam("csrf-token", browser.csrfToken);
        }
        for (Map.Entry<String, List<String>> f : fields.entrySet()) {
            if (!f.getValue().isEmpty()) {
                s = s.formParam(f.getKey(), f.getValue().toArray());
            }
        }
        return s.formParam("intent", intent).post(path);
    }

    private JsonPath policy(String name) {
        return as(operator)
                .get("/api/v1/update-policies/" + name)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    private void apiPolicy(String name, String selector, int priority) {
        as(operator)
                .contentType(ContentType.JSON)
                .body(Map.of("name", name, "selector", selector, "priority", priority))
                .post("/api/v1/update-policies")
                .then()
                .statusCode(201);
    }

    private String machine(String enroll, String hostname, Map<String, String> labels) {
        String id = Fixtures.newMachineId();
        Fixtures.enroll(enroll, id, hostname);
        as(operator)
                .contentType(ContentType.JSON)
                .body(labels)
                .patch("/api/v1/machines/" + id + "/labels")
                .then()
                .statusCode(200);
        return id;
    }

    private static String section(String html, String start, String end) {
        int from = html.indexOf(start);
        assertThat(from).as(start).isNotNegative();
        return html.substring(from, html.indexOf(end, from));
    }

    private static String unescape(String html) {
        return html.replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&");
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
