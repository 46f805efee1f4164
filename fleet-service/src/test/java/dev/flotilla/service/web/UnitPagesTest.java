package dev.flotilla.service.web;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.flotilla.api.protocol.StateChange;
import dev.flotilla.api.protocol.StateChanges;
import dev.flotilla.api.protocol.UnitState;
import dev.flotilla.service.Fixtures;
import dev.flotilla.service.TestAgent;
import dev.flotilla.service.TestDatabase;
import dev.flotilla.service.TestTokens;
import dev.flotilla.service.tenant.Organizations;
import dev.flotilla.service.tenant.Role;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.vertx.core.Vertx;

import static dev.flotilla.service.Api.as;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard's unit forms over HTTP, signed in as a person: check before save, refusals with
 * the reason and nothing stored, confirmation before start/stop/destroy, CSRF tokens required on
 * every form, viewers refused, and the unit page's live stream.
 */
@QuarkusTest
@QuarkusTestResource(TestDatabase.class)
class UnitPagesTest {
    private static final Pattern CSRF = Pattern.compile("name=\"csrf-token\" value=\"([^\"]+)\"");

    @TestHTTPResource("/")
    URI base;

    @Inject
    TestTokens tokens;

    @Inject
    Vertx vertx;

    String operator;
    String tag;

    @BeforeEach
    void setUp() {
        operator = tokens.api(Role.OPERATOR);
        tag = UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void shouldCheckAUnitWithoutSavingItThenSaveIt() {
        Browser admin = Browser.signIn("admin", "test-admin-password");
        String name = "web-" + tag + ".service";
        String content = "[Unit]\nDescription=Web\n[Service]\nExecStart=/bin/sleep infinity\n"
                + "[X-Fleet]\nGlobal=true\nMachineMetadata=role=web-" + tag + "\nMachineMetadata=role=api-" + tag
                + "\n";

        admin.open("/units/new");
        Response checked =
                admin.post("/units", Map.of("name", name, "content", content, "target", "launched", "intent", "check"));
        assertThat(checked.statusCode()).isEqualTo(200);
        assertThat(checked.body().asString())
                .contains("Valid: nothing saved yet")
                .contains("Global: runs on every machine labelled role=api-" + tag + " or role=web-" + tag);
        as(operator).get("/api/v1/units/" + name).then().statusCode(404);

        Response saved =
                admin.post("/units", Map.of("name", name, "content", content, "target", "loaded", "intent", "save"));
        assertThat(saved.statusCode()).isEqualTo(303);
        assertThat(saved.header("Location")).endsWith("/units/" + name);
        assertThat(as(operator).get("/api/v1/units/" + name).jsonPath().getString("target"))
                .isEqualTo("loaded");
        String page = admin.open("/units/" + name).body().asString();
        assertThat(page)
                .contains("Global: runs on every machine labelled role=api-" + tag + " or role=web-" + tag)
                .contains("href=\"/units/" + name + "/edit\"");

        // A second "new" unit of the same name is refused rather than replacing the first.
        Response again = admin.post("/units", Map.of("name", name, "content", content, "intent", "save"));
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(again.body().asString()).contains("exists already");

        // Editing replaces it.
        admin.open("/units/" + name + "/edit");
        String edited = content.replace("Description=Web", "Description=Web v2");
        Response replaced = admin.post(
                "/units",
                Map.of("name", name, "content", edited, "target", "loaded", "intent", "save", "existing", "true"));
        assertThat(replaced.statusCode()).isEqualTo(303);
        assertThat(as(operator).get("/api/v1/units/" + name).jsonPath().getString("content"))
                .contains("Description=Web v2");
    }

    @Test
    void shouldShowWhyAUnitIsRefusedKeepWhatWasTypedAndStoreNothing() {
        Browser admin = Browser.signIn("admin", "test-admin-password");
        admin.open("/units/new");
        record Case(String name, String content, String reason) {}
        List<Case> cases = List.of(
                new Case(
                        "g-" + tag + ".service",
                        "[Service]\nExecStart=/bin/true\n[X-Fleet]\nGlobal=true\nMachineOf=a.service\n",
                        "Global cannot be used with Peers"),
                new Case("../" + tag + ".service", "[Service]\nExecStart=/bin/true\n", "unit name"),
                new Case("s-" + tag + ".service", "ExecStart=/bin/true", "not a unit file"),
                new Case("t-" + tag + ".service", "", "content is required"));
        for (Case c : cases) {
            for (String intent : List.of("check", "save")) {
                Response r = admin.post("/units", Map.of("name", c.name(), "content", c.content(), "intent", intent));
                assertThat(r.statusCode()).as(c.name() + " " + intent).isEqualTo(400);
                String body = r.body().asString();
                assertThat(body).as(c.name()).contains("role=\"alert\"").containsIgnoringCase(c.reason());
                assertThat(body).doesNotContain("Valid: nothing saved yet");
                if (!c.content().isEmpty()) {
                    // What was typed comes back (escaped) for the next attempt.
                    assertThat(body).contains(c.content().lines().findFirst().orElseThrow());
                }
            }
            int status = as(operator)
                    .get("/api/v1/units/" + java.net.URLEncoder.encode(c.name(), StandardCharsets.UTF_8))
                    .statusCode();
            assertThat(status).as(c.name() + " stored").isIn(400, 404);
        }
    }

    @Test
    void shouldAskBeforeStoppingAndDestroyingAndThenDoIt() {
        String name = submit("launched");
        Browser admin = Browser.signIn("admin", "test-admin-password");

        String unitPage = admin.open("/units/" + name).body().asString();
        assertThat(unitPage)
                .contains("href=\"/units/" + name + "/confirm/stop\"")
                .contains("href=\"/units/" + name + "/confirm/destroy\"");
        String confirm = admin.open("/units/" + name + "/confirm/stop").body().asString();
        assertThat(confirm).contains("Stop " + name + "?").contains("action=\"/units/" + name + "/stop\"");
        // Opening the confirmation changes nothing.
        assertThat(target(name)).isEqualTo("launched");

        Response stopped = admin.post("/units/" + name + "/stop", Map.of());
        assertThat(stopped.statusCode()).isEqualTo(303);
        assertThat(stopped.header("Location")).endsWith("/units/" + name + "?done=stop");
        assertThat(target(name)).isEqualTo("loaded");
        assertThat(admin.open("/units/" + name + "?done=stop").body().asString())
                .contains("Target set to loaded.");

        admin.open("/units/" + name + "/confirm/start");
        assertThat(admin.post("/units/" + name + "/start", Map.of()).statusCode())
                .isEqualTo(303);
        assertThat(target(name)).isEqualTo("launched");

        assertThat(admin.open("/units/" + name + "/confirm/destroy").body().asString())
                .contains("This cannot be undone");
        Response destroyed = admin.post("/units/" + name + "/destroy", Map.of());
        assertThat(destroyed.statusCode()).isEqualTo(303);
        assertThat(destroyed.header("Location")).endsWith("/units");
        as(operator).get("/api/v1/units/" + name).then().statusCode(404);

        assertThat(admin.open("/units/" + name + "/confirm/explode").statusCode())
                .isEqualTo(404);
        assertThat(admin.post("/units/" + name + "/stop", Map.of()).statusCode())
                .isEqualTo(404);
    }

    @Test
    void shouldRefuseAFormWithoutItsCsrfTokenOrWithAnother() {
        String name = submit("launched");
        Browser admin = Browser.signIn("admin", "test-admin-password");
        admin.open("/units/" + name + "/confirm/stop");

        // No token at all (a form posted from another site would carry none).
        Response none = given().redirects()
                .follow(false)
                .cookie("quarkus-credential", admin.session)
                .contentType(ContentType.URLENC)
                .formParam("x", "y")
                .post("/units/" + name + "/stop");
        assertThat(none.statusCode()).isEqualTo(400);
        // A token that is not the one in the cookie.
        Response wrong = given().redirects()
                .follow(false)
                .cookie("quarkus-credential", admin.session)
                .cookie("csrf-token", admin.csrfCookie)
                .contentType(ContentType.URLENC)
                .formParam("csrf-token", (admin.csrfToken.startsWith("A") ? "B" : "A") + admin.csrfToken.substring(1))
                .post("/units/" + name + "/stop");
        assertThat(wrong.statusCode()).isEqualTo(400);
        // The same for signing out.
        Response logout = given().redirects()
                .follow(false)
                .cookie("quarkus-credential", admin.session)
                .contentType(ContentType.URLENC)
                .formParam("x", "y")
                .post("/logout");
        assertThat(logout.statusCode()).isEqualTo(400);
        assertThat(target(name)).isEqualTo("launched");

        assertThat(admin.post("/units/" + name + "/stop", Map.of()).statusCode())
                .isEqualTo(303);
        assertThat(target(name)).isEqualTo("loaded");
    }

    @Test
    void shouldShowViewersTheUnitButNoActionAndRefuseTheirPosts() {
        String name = submit("launched");
        String user = "viewer-" + tag;
        account(user, "viewer password " + tag, Role.VIEWER);
        Browser viewer = Browser.signIn(user, "viewer password " + tag);

        String page = viewer.open("/units/" + name).body().asString();
        assertThat(page).contains(name).doesNotContain("/confirm/").doesNotContain("/edit\"");
        assertThat(viewer.open("/units").body().asString()).doesNotContain("Submit a unit");
        assertThat(viewer.open("/units/new").statusCode()).isEqualTo(403);
        assertThat(viewer.open("/units/" + name + "/confirm/stop").statusCode()).isEqualTo(403);
        viewer.open("/units/" + name);
        assertThat(viewer.post("/units/" + name + "/destroy", Map.of()).statusCode())
                .isEqualTo(403);
        assertThat(viewer.post(
                                "/units",
                                Map.of(
                                        "name",
                                        "v-" + tag + ".service",
                                        "content",
                                        "[Service]\nExecStart=/bin/true\n",
                                        "intent",
                                        "save"))
                        .statusCode())
                .isEqualTo(403);
        assertThat(target(name)).isEqualTo("launched");
    }

    @Test
    void shouldStreamTheUnitsMachinesByStateAsTheyChange() throws Exception {
        String enroll = tokens.enrollment(1);
        String id = Fixtures.newMachineId();
        String credential = Fixtures.enroll(enroll, id, "live-" + tag);
        try (TestAgent agent = TestAgent.greeted(vertx, base, credential, id)) {
            as(operator)
                    .contentType("application/json")
                    .body(Map.of("live", tag))
                    .patch("/api/v1/machines/" + id + "/labels")
                    .then()
                    .statusCode(200);
            String name = "live-" + tag + ".service";
            as(operator)
                    .contentType("application/json")
                    .body(Map.of(
                            "content",
                            "[Service]\nExecStart=/bin/sleep infinity\n[X-Fleet]\nGlobal=true\nMachineMetadata=live="
                                    + tag + "\n"))
                    .put("/api/v1/units/" + name)
                    .then()
                    .statusCode(201);
            Browser admin = Browser.signIn("admin", "test-admin-password");

            BlockingQueue<String> events = new LinkedBlockingQueue<>();
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest request = HttpRequest.newBuilder(base.resolve("/units/" + name + "/live"))
                    .header("Cookie", "quarkus-credential=" + admin.session)
                    .header("Accept", "text/event-stream")
                    .build();
            HttpResponse<java.io.InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            assertThat(response.statusCode()).isEqualTo(200);
            Thread reader = new Thread(() -> {
                try (BufferedReader in =
                        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        if (line.startsWith("data:")) {
                            events.add(line.substring(5));
                        }
                    }
                } catch (Exception e) {
                    // the test closed the stream
                }
            });
            reader.setDaemon(true);
            reader.start();
            try {
                String first = events.poll(10, TimeUnit.SECONDS);
                assertThat(first)
                        .as("first event")
                        .isNotNull()
                        .contains("\"placed\":1")
                        .contains("\"byState\":[]");

                agent.send(new StateChanges(List.of(StateChange.of(
                        1,
                        Instant.now(),
                        new UnitState(name, "loaded", "active", "running", null, Instant.now(), null, true)))));
                String next = events.poll(10, TimeUnit.SECONDS);
                String host = as(operator)
                        .get("/api/v1/machines/" + id)
                        .then()
                        .extract()
                        .path("hostname");
                assertThat(next)
                        .as("event after the agent's report")
                        .isNotNull()
                        .contains("{\"state\":\"active\",\"machines\":1}")
                        .contains("\"machineID\":\"" + id + "\"")
                        .contains("\"active\":1")
                        // the page shows host names: the stream carries them beside the ids
                        .contains("\"hosts\":{\"" + id + "\":\"" + host + "\"}");
                String page = admin.open("/units/" + name).body().asString();
                assertThat(page)
                        .as("the unit page names its machines by host name, with the id beside")
                        .contains(">" + host + "</a> <small class=\"mono\">" + id.substring(0, 12) + "</small>")
                        // changed by the token "test-operator", made by "test" (TestTokens)
                        .contains("by test (token test-operator)");

                as(operator).delete("/api/v1/units/" + name).then().statusCode(204);
                String gone = events.poll(10, TimeUnit.SECONDS);
                assertThat(gone).as("event after destroy").isNotNull().contains("\"gone\":true");
            } finally {
                response.body().close();
                reader.interrupt();
            }
        }
    }

    private String submit(String target) {
        String name = "u-" + tag + ".service";
        as(operator)
                .contentType("application/json")
                .body(Map.of(
                        "content",
                        "[Service]\nExecStart=/bin/sleep infinity\n[X-Fleet]\nMachineMetadata=none=" + tag + "\n",
                        "target",
                        target))
                .put("/api/v1/units/" + name)
                .then()
                .statusCode(201);
        return name;
    }

    private String target(String name) {
        return as(operator).get("/api/v1/units/" + name).jsonPath().getString("target");
    }

    void account(String username, String password, Role role) {
        tokens.person(Organizations.DEFAULT, username, password, role);
    }

    /** A signed-in person: the session cookie and the CSRF cookie and token of the last page opened. */
    static final class Browser {
        final String session;
        String csrfCookie;
        String csrfToken;

        private Browser(String session) {
            this.session = session;
        }

        static Browser signIn(String user, String password) {
            String cookie = dev.flotilla.service.Api.signIn(user, password);
            assertThat(cookie).as("signed in as " + user).isNotBlank();
            return new Browser(cookie);
        }

        /** The organization switcher's cookie, once a response set it. */
        String org;

        static Browser anonymous() {
            return new Browser(null);
        }

        private RequestSpecification spec() {
            RequestSpecification s = given().redirects().follow(false);
            if (session != null) {
                s = s.cookie("quarkus-credential", session);
            }
            if (org != null) {
                s = s.cookie("flotilla_org", org);
            }
            return csrfCookie == null ? s : s.cookie("csrf-token", csrfCookie);
        }

        /** GET a page, keeping its CSRF token for the next post. */
        Response open(String path) {
            Response r = spec().get(path);
            String cookie = r.getCookie("csrf-token");
            if (cookie != null) {
                csrfCookie = cookie;
            }
            Matcher m = CSRF.matcher(r.body().asString());
            if (m.find()) {
                csrfToken = m.group(1);
            }
            return r;
        }

        /** Posts a form as the page's form would, with its CSRF token. */
        Response post(String path, Map<String, String> fields) {
            return post(path, List.copyOf(fields.entrySet()));
        }

        /** Posts a form whose fields may repeat (rows of a table), in order, with its CSRF token. */
        Response post(String path, List<Map.Entry<String, String>> fields) {
            RequestSpecification s = spec().contentType(ContentType.URLENC.withCharset(StandardCharsets.UTF_8));
            if (csrfToken != null) {
                s = s.formParam("csrf-token", csrfToken);
            }
            for (Map.Entry<String, String> f : fields) {
                s = s.formParam(f.getKey(), f.getValue());
            }
            Response r = s.post(path);
            if (r.getCookie("flotilla_org") != null) {
                org = r.getCookie("flotilla_org");
            }
            return r;
        }
    }
}
