package dev.flotilla.service.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.flotilla.api.selector.LabelSelector;
import dev.flotilla.service.Fixtures;
import dev.flotilla.service.TestDatabase;
import dev.flotilla.service.TestTokens;
import dev.flotilla.service.common.ProblemException;
import dev.flotilla.service.machine.MachineService;
import dev.flotilla.service.tenant.Role;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

import static dev.flotilla.service.Api.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The machine pages' changes over HTTP, signed in as people of a fresh organization: a label
 * change previewed (policy and global units before → after, nothing saved) then saved and placed,
 * bad labels refused beside their field, removal after a confirmation page, bulk changes of
 * exactly the filter's machines within a bound, viewers refused, other organizations untouched.
 */
@QuarkusTest
@QuarkusTestResource(TestDatabase.class)
class MachinePagesTest {
    @Inject
    TestTokens tokens;

    @Inject
    MachineService machines;

    String tag;
    String slug;
    UUID org;
    String operator;
    UnitPagesTest.Browser admin;

    @BeforeEach
    void setUp() {
        tag = UUID.randomUUID().toString().substring(0, 8);
        slug = "mp-" + tag;
        org = tokens.org(slug);
        operator = tokens.api(org, Role.OPERATOR);
        tokens.person(org, "mp-admin-" + tag, "admin password " + tag, Role.ADMIN);
        admin = person("mp-admin-" + tag, "admin password " + tag);
    }

    @Test
    void shouldPreviewALabelChangeWithoutSavingThenSaveItAndPlaceTheGlobalUnit() throws Exception {
        String id = machine(org, "web-" + tag, Map.of("tier", "a"));
        as(operator)
                .contentType(ContentType.JSON)
                .body(Map.of("name", "tier-b-" + tag, "selector", "tier=b"))
                .post("/api/v1/update-policies")
                .then()
                .statusCode(201);
        String gained = "gb-" + tag + ".service";
        String lost = "ga-" + tag + ".service";
        globalUnit(gained, "tier=b");
        globalUnit(lost, "tier=a");

        String form = admin.open("/machines/" + id + "/labels").body().asString();
        assertThat(form).contains("Labels of web-" + tag).contains("<label for=\"value-0\"");
        Response preview =
                admin.post("/machines/" + id + "/labels", Map.of("key", "tier", "value", "b", "intent", "preview"));
        assertThat(preview.statusCode()).isEqualTo(200);
        String body = preview.body().asString();
        assertThat(body).contains("Preview: nothing saved yet");
        assertThat(section(body, "policy-change")).contains("default").contains("tier-b-" + tag);
        assertThat(section(body, "units-gained")).contains(gained).doesNotContain(lost);
        assertThat(section(body, "units-lost")).contains(lost).doesNotContain(gained);
        assertThat(labels(id)).containsEntry("tier", "a");

        Response saved =
                admin.post("/machines/" + id + "/labels", Map.of("key", "tier", "value", "b", "intent", "save"));
        assertThat(saved.statusCode()).isEqualTo(303);
        assertThat(saved.header("Location")).endsWith("/machines/" + id);
        assertThat(labels(id)).containsEntry("tier", "b");
        long deadline = System.nanoTime() + 20_000_000_000L;
        List<String> desired;
        do {
            Thread.sleep(250);
            desired = as(operator)
                    .get("/api/v1/machines/" + id + "/desired-units")
                    .jsonPath()
                    .getList("units.name");
        } while (!(desired.contains(gained) && !desired.contains(lost)) && System.nanoTime() < deadline);
        assertThat(desired).contains(gained).doesNotContain(lost);
    }

    @Test
    void shouldRefuseBadLabelsBesideTheirFieldKeepingWhatWasTyped() {
        String id = machine(org, "bad-" + tag, Map.of("keep", "me"));
        admin.open("/machines/" + id + "/labels");
        Response badKey = admin.post(
                "/machines/" + id + "/labels",
                List.of(
                        Map.entry("key", "keep"),
                        Map.entry("value", "me"),
                        Map.entry("key", "bad key!"),
                        Map.entry("value", "v1"),
                        Map.entry("intent", "preview")));
        assertThat(badKey.statusCode()).isEqualTo(400);
        assertThat(badKey.body().asString())
                .contains("aria-describedby=\"key-1-error\"")
                .contains("role=\"alert\" id=\"key-1-error\">invalid label key &#39;bad key!&#39;")
                .contains("value=\"bad key!\"")
                .contains("value=\"v1\"");

        Response badValue =
                admin.post("/machines/" + id + "/labels", Map.of("key", "keep", "value", "not ok", "intent", "save"));
        assertThat(badValue.statusCode()).isEqualTo(400);
        assertThat(badValue.body().asString()).contains("id=\"value-0-error\"").contains("value=\"not ok\"");

        List<Map.Entry<String, String>> many = new ArrayList<>();
        for (int i = 0; i < 70; i++) {
            many.add(Map.entry("key", "k" + i));
            many.add(Map.entry("value", "v"));
        }
        many.add(Map.entry("intent", "save"));
        Response tooMany = admin.post("/machines/" + id + "/labels", many);
        assertThat(tooMany.statusCode()).isEqualTo(400);
        assertThat(tooMany.body().asString()).contains("role=\"alert\"").contains("at most 64 labels");
        assertThat(labels(id)).containsExactlyEntriesOf(Map.of("keep", "me"));
        // far more rows than the form ever has: refused before any work
        List<Map.Entry<String, String>> flood = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            flood.add(Map.entry("key", "k" + i));
            flood.add(Map.entry("remove", "k" + i));
        }
        flood.add(Map.entry("intent", "preview"));
        Response flooded = admin.post("/machines/" + id + "/labels", flood);
        assertThat(flooded.statusCode()).isEqualTo(400);
        assertThat(flooded.body().asString()).contains("this form has 300 rows");
        // a NUL character is refused as bad input, never a 500
        Response nul =
                admin.post("/machines/" + id + "/labels", Map.of("key", "k\u0000", "value", "v", "intent", "save"));
        assertThat(nul.statusCode()).isEqualTo(400);

        String unknown = Fixtures.newMachineId();
        assertThat(admin.open("/machines/" + unknown + "/labels").statusCode()).isEqualTo(404);
        assertThat(admin.post("/machines/" + unknown + "/labels", Map.of("key", "a", "value", "b", "intent", "save"))
                        .statusCode())
                .isEqualTo(404);
    }

    @Test
    void shouldAskBeforeRemovingAMachineThenRemoveIt() {
        String id = machine(org, "gone-" + tag, Map.of());
        String page = admin.open("/machines/" + id).body().asString();
        assertThat(page).contains("href=\"/machines/" + id + "/remove\"").contains(id.substring(0, 12));
        String confirm = admin.open("/machines/" + id + "/remove").body().asString();
        assertThat(confirm).contains("Remove gone-" + tag + " (" + id.substring(0, 12) + ")?");
        as(operator).get("/api/v1/machines/" + id).then().statusCode(200);

        Response removed = admin.post("/machines/" + id + "/remove", Map.of());
        assertThat(removed.statusCode()).isEqualTo(303);
        as(operator).get("/api/v1/machines/" + id).then().statusCode(404);
    }

    @Test
    void shouldChangeExactlyTheFilteredMachinesInBulkWithinTheBound() {
        String b1 = machine(org, "b1-" + tag, Map.of("bulk", "yes"));
        String b2 = machine(org, "b2-" + tag, Map.of("bulk", "yes"));
        String other = machine(org, "b3-" + tag, Map.of("bulk", "no"));
        UUID elsewhere = tokens.org("mp-other-" + tag);
        String foreign = machine(elsewhere, "b4-" + tag, Map.of("bulk", "yes"));

        String list = admin.open("/machines?selector=bulk=yes").body().asString();
        assertThat(list).contains("Change a label on all 2 machine(s) matching this filter");
        Response confirm = admin.open("/machines/bulk?selector=bulk=yes&op=set&key=zone&value=z1");
        assertThat(confirm.statusCode()).isEqualTo(200);
        assertThat(confirm.body().asString())
                .contains("<dd id=\"bulk-count\">2</dd>")
                .contains("b1-" + tag)
                .contains("b2-" + tag)
                .doesNotContain("b3-" + tag)
                .contains("Set zone=z1 on all 2 machine(s)");
        assertThat(labels(b1)).doesNotContainKey("zone");

        Response applied =
                admin.post("/machines/bulk", Map.of("selector", "bulk=yes", "op", "set", "key", "zone", "value", "z1"));
        assertThat(applied.statusCode()).isEqualTo(303);
        assertThat(applied.header("Location")).contains("changed=2");
        assertThat(labels(b1)).containsEntry("zone", "z1");
        assertThat(labels(b2)).containsEntry("zone", "z1");
        assertThat(labels(other)).doesNotContainKey("zone");
        assertThat(as(tokens.api(elsewhere, Role.VIEWER))
                        .get("/api/v1/machines/" + foreign)
                        .jsonPath()
                        .getMap("labels"))
                .doesNotContainKey("zone");
        var audit = as(tokens.api(org, Role.ADMIN))
                .get("/api/v1/audit?action=machine.labels.bulk")
                .jsonPath();
        assertThat(audit.getList("items")).hasSize(1);
        assertThat(audit.getInt("items[0].after.machines")).isEqualTo(2);

        // The same change again changes nothing: no write, no history line, "0 changed".
        Response again =
                admin.post("/machines/bulk", Map.of("selector", "bulk=yes", "op", "set", "key", "zone", "value", "z1"));
        assertThat(again.header("Location")).contains("changed=0");
        assertThat(as(tokens.api(org, Role.ADMIN))
                        .get("/api/v1/audit?action=machine.labels.bulk")
                        .jsonPath()
                        .getInt("items[0].after.matched"))
                .isEqualTo(2);

        Response removed = admin.post("/machines/bulk", Map.of("selector", "bulk=yes", "op", "remove", "key", "zone"));
        assertThat(removed.statusCode()).isEqualTo(303);
        assertThat(labels(b1)).doesNotContainKey("zone");

        Response badKey = admin.open("/machines/bulk?selector=bulk=yes&op=set&key=bad!&value=z");
        assertThat(badKey.statusCode()).isEqualTo(400);
        assertThat(badKey.body().asString()).contains("id=\"bulk-key-error\"").contains("value=\"bad!\"");
        Response badSelector = admin.post("/machines/bulk", Map.of("selector", "bulk in (", "op", "set", "key", "a"));
        assertThat(badSelector.statusCode()).isEqualTo(400);
        assertThat(badSelector.body().asString()).contains("invalid label selector");

        // Beyond the bound nothing changes (the page's bound is 10,000; the service takes it as an argument).
        var query = new MachineService.MachineQuery(org, LabelSelector.parse("bulk=yes"), null, null, null, 1);
        assertThatThrownBy(() -> machines.changeLabelsWhere(query, Map.of("zone", "z2"), "test", 1))
                .isInstanceOf(ProblemException.class)
                .hasMessageContaining("a bulk change touches at most 1");
        assertThat(labels(b1)).doesNotContainKey("zone");
        assertThat(labels(b2)).doesNotContainKey("zone");
    }

    @Test
    void shouldShowViewersNoActionRefuseTheirPostsAndNeverTouchAnotherOrganization() {
        String id = machine(org, "v-" + tag, Map.of("keep", "me"));
        tokens.person(org, "mp-viewer-" + tag, "viewer password " + tag, Role.VIEWER);
        UnitPagesTest.Browser viewer = person("mp-viewer-" + tag, "viewer password " + tag);
        String page = viewer.open("/machines/" + id).body().asString();
        assertThat(page).contains("v-" + tag).doesNotContain("/labels\"").doesNotContain("/remove\"");
        assertThat(viewer.open("/machines").body().asString())
                .doesNotContain("bulk-labels")
                .doesNotContain("href=\"/machines/add\"");
        assertThat(viewer.open("/machines/" + id + "/labels").statusCode()).isEqualTo(403);
        assertThat(viewer.open("/machines/" + id + "/remove").statusCode()).isEqualTo(403);
        assertThat(viewer.open("/machines/bulk?op=set&key=a&value=b").statusCode())
                .isEqualTo(403);
        viewer.open("/machines/" + id);
        assertThat(viewer.post("/machines/" + id + "/labels", Map.of("key", "keep", "value", "x", "intent", "save"))
                        .statusCode())
                .isEqualTo(403);
        assertThat(viewer.post("/machines/" + id + "/remove", Map.of()).statusCode())
                .isEqualTo(403);
        assertThat(viewer.post("/machines/bulk", Map.of("op", "set", "key", "keep", "value", "x"))
                        .statusCode())
                .isEqualTo(403);
        assertThat(labels(id)).containsEntry("keep", "me");

        // An admin of this organization cannot reach another's machine.
        UUID elsewhere = tokens.org("mp-far-" + tag);
        String foreign = machine(elsewhere, "far-" + tag, Map.of("keep", "me"));
        admin.open("/machines");
        assertThat(admin.open("/machines/" + foreign + "/labels").statusCode()).isEqualTo(404);
        assertThat(admin.post("/machines/" + foreign + "/labels", Map.of("key", "keep", "value", "x", "intent", "save"))
                        .statusCode())
                .isEqualTo(404);
        assertThat(admin.post("/machines/" + foreign + "/remove", Map.of()).statusCode())
                .isEqualTo(404);

        // a form without its CSRF token is refused
        admin.open("/machines/" + id + "/labels");
        String token = admin.csrfToken;
        admin.csrfToken = null;
        assertThat(admin.post("/machines/" + id + "/labels", Map.of("key", "keep", "value", "x", "intent", "save"))
                        .statusCode())
                .isEqualTo(400);
        assertThat(labels(id)).containsEntry("keep", "me");

        // A bulk change of a selector both organizations' machines match changes this one's only.
        admin.csrfToken = token;
        assertThat(admin.post("/machines/bulk", Map.of("selector", "keep=me", "op", "set", "key", "keep", "value", "x"))
                        .statusCode())
                .isEqualTo(303);
        assertThat(labels(id)).containsEntry("keep", "x");
        assertThat(as(tokens.api(elsewhere, Role.VIEWER))
                        .get("/api/v1/machines/" + foreign)
                        .jsonPath()
                        .getMap("labels"))
                .containsEntry("keep", "me");
    }

    private UnitPagesTest.Browser person(String user, String password) {
        UnitPagesTest.Browser b = UnitPagesTest.Browser.signIn(user, password);
        b.org = slug;
        return b;
    }

    /** A machine of {@code in} with these labels set through the API. */
    private String machine(UUID in, String hostname, Map<String, String> labels) {
        String id = Fixtures.newMachineId();
        Fixtures.enroll(tokens.enrollment(in, 1), id, hostname);
        if (!labels.isEmpty()) {
            as(tokens.api(in, Role.OPERATOR))
                    .contentType(ContentType.JSON)
                    .body(labels)
                    .patch("/api/v1/machines/" + id + "/labels")
                    .then()
                    .statusCode(200);
        }
        return id;
    }

    private void globalUnit(String name, String metadata) {
        as(operator)
                .contentType(ContentType.JSON)
                .body(Map.of(
                        "content",
                        "[Service]\nExecStart=/bin/sleep infinity\n[X-Fleet]\nGlobal=true\nMachineMetadata=" + metadata
                                + "\n"))
                .put("/api/v1/units/" + name)
                .then()
                .statusCode(201);
    }

    private Map<String, Object> labels(String id) {
        return as(operator).get("/api/v1/machines/" + id).jsonPath().getMap("labels");
    }

    /** The element with this id and what follows it up to its end tag's line. */
    private static String section(String html, String id) {
        var m = Pattern.compile("id=\"" + id + "\">(.*?)</p>", Pattern.DOTALL).matcher(html);
        assertThat(m.find()).as("#" + id).isTrue();
        return m.group(1);
    }
}
