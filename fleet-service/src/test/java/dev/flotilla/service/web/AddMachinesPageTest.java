package dev.flotilla.service.web;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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

import dev.flotilla.service.Fixtures;
import dev.flotilla.service.TestAgent;
import dev.flotilla.service.TestDatabase;
import dev.flotilla.service.TestTokens;
import dev.flotilla.service.tenant.Role;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.core.Vertx;

import static dev.flotilla.service.Api.anonymous;
import static dev.flotilla.service.Api.as;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * "Add machines" over HTTP, signed in as an admin of a fresh, empty organization: a token made on
 * the page comes with every install command filled in, enrolls an agent that then connects (and
 * the presence feed the page listens to says so), bad inputs come back beside their field,
 * revoking asks first, and only admins get in.
 */
@QuarkusTest
@QuarkusTestResource(TestDatabase.class)
class AddMachinesPageTest {
    private static final Pattern SECRET = Pattern.compile("<code id=\"enrollment-secret\">(fle_[^<]+)</code>");

    @TestHTTPResource("/")
    URI base;

    @Inject
    TestTokens tokens;

    @Inject
    Vertx vertx;

    String tag;
    String slug;
    UUID org;
    UnitPagesTest.Browser admin;

    @BeforeEach
    void setUp() {
        tag = UUID.randomUUID().toString().substring(0, 8);
        slug = "am-" + tag;
        org = tokens.org(slug);
        tokens.person(org, "am-admin-" + tag, "admin password " + tag, Role.ADMIN);
        admin = person("am-admin-" + tag, "admin password " + tag);
    }

    @Test
    void shouldCreateATokenWhoseCommandsEnrollAnAgentAndSayWhenTheFirstMachineIsOnline() throws Exception {
        String page = admin.open("/machines/add").body().asString();
        assertThat(page)
                .contains("href=\"/machines/add\" aria-current=\"page\"")
                .doesNotContain("href=\"/machines\" aria-current=\"page\"")
                .contains("aria-live=\"polite\" data-first-machine=\"/live/presence\"")
                .contains("/static/first-machine.js")
                .doesNotContain("<script>");
        assertThat(admin.open("/machines").body().asString())
                .contains("href=\"/machines\" aria-current=\"page\"")
                .contains("href=\"/machines/add\"");

        Response created =
                admin.post("/machines/add/tokens", Map.of("name", "rack-" + tag, "uses", "2", "ttl", "PT2H"));
        assertThat(created.statusCode()).isEqualTo(201);
        String body = created.body().asString();
        Matcher m = SECRET.matcher(body);
        assertThat(m.find()).as("the secret, shown once").isTrue();
        String secret = m.group(1);
        String url = base.toString().replaceAll("/+$", "");
        for (String way : new String[] {"deb", "rpm", "fcos", "flatcar", "container", "jar"}) {
            Matcher section = Pattern.compile(
                            "id=\"install-" + way + "\">.*?<pre[^>]*data-copy[^>]*><code>(.*?)</code></pre>",
                            Pattern.DOTALL)
                    .matcher(body);
            assertThat(section.find()).as(way).isTrue();
            assertThat(section.group(1)).as(way).contains(url).contains(secret);
        }
        assertThat(body).contains("/static/copy.js");
        assertThat(admin.open("/machines/add").body().asString())
                .as("the secret is shown once")
                .doesNotContain(secret)
                .contains("0 of 2");

        // The page's live region listens to the presence feed: an agent enrolled with the token connects.
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        HttpResponse<java.io.InputStream> stream = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(base.resolve("/live/presence"))
                                .header("Cookie", "quarkus-credential=" + admin.session + "; flotilla_org=" + slug)
                                .header("Accept", "text/event-stream")
                                .build(),
                        HttpResponse.BodyHandlers.ofInputStream());
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
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
        String id = Fixtures.newMachineId();
        String credential = Fixtures.enroll(secret, id, "first-" + tag);
        try (TestAgent agent = TestAgent.greeted(vertx, base, credential, id)) {
            String event = events.poll(10, TimeUnit.SECONDS);
            assertThat(event)
                    .isNotNull()
                    .contains("\"id\":\"" + id + "\"")
                    .contains("\"hostname\":\"")
                    .contains("\"presence\":\"online\"");
        } finally {
            stream.body().close();
        }
        assertThat(as(tokens.api(org, Role.VIEWER))
                        .get("/api/v1/machines/" + id)
                        .statusCode())
                .isEqualTo(200);
        assertThat(admin.open("/machines/add").body().asString())
                .doesNotContain("data-first-machine")
                .contains("1 of 2");
    }

    @Test
    void shouldRefuseBadInputsBesideTheirFieldKeepingWhatWasTyped() {
        admin.open("/machines/add");
        record Case(Map<String, String> form, String field, String reason) {}
        for (Case c : new Case[] {
            new Case(
                    Map.of("name", "n-" + tag, "uses", "0", "ttl", "PT1H"), "uses", "maxUses must be from 1 to 100000"),
            new Case(Map.of("name", "n-" + tag, "uses", "lots", "ttl", "PT1H"), "uses", "maxUses must be from 1"),
            new Case(Map.of("name", "n-" + tag, "uses", "1", "ttl", "P400D"), "ttl", "at most P365D"),
            new Case(Map.of("name", "n-" + tag, "uses", "1", "ttl", "tomorrow"), "ttl", "ISO-8601 duration"),
            new Case(Map.of("name", " ", "uses", "1", "ttl", "PT1H"), "name", "name must be 1 to 100 characters"),
        }) {
            Response r = admin.post("/machines/add/tokens", c.form());
            assertThat(r.statusCode()).as(c.reason()).isEqualTo(400);
            String body = r.body().asString();
            assertThat(body)
                    .as(c.reason())
                    .contains("role=\"alert\" id=\"token-" + c.field() + "-error\">")
                    .contains(c.reason())
                    .contains("token-" + c.field() + "-error\"")
                    .contains("value=\"" + c.form().get("ttl") + "\"")
                    .doesNotContain("enrollment-secret");
        }
        assertThat(as(tokens.api(org, Role.ADMIN))
                        .get("/api/v1/enrollment-tokens")
                        .jsonPath()
                        .getList("$"))
                .isEmpty();
    }

    @Test
    void shouldAskBeforeRevokingATokenThenRevokeIt() {
        admin.open("/machines/add");
        String secret = secretOf(admin.post("/machines/add/tokens", Map.of("name", "old-" + tag, "uses", "5")));
        String id = as(tokens.api(org, Role.ADMIN))
                .get("/api/v1/enrollment-tokens")
                .jsonPath()
                .getString("find { it.name == 'old-" + tag + "' }.id");
        String confirm =
                admin.open("/machines/add/tokens/" + id + "/revoke").body().asString();
        assertThat(confirm).contains("Revoke enrollment token old-" + tag + "?");
        assertThat(state(id)).isEqualTo("active");

        Response revoked = admin.post("/machines/add/tokens/" + id + "/revoke", Map.of());
        assertThat(revoked.statusCode()).isEqualTo(303);
        assertThat(revoked.header("Location")).endsWith("/machines/add");
        assertThat(state(id)).isEqualTo("revoked");
        anonymous()
                .body(Map.of("token", secret, "machineId", Fixtures.newMachineId(), "hostname", "late-" + tag))
                .post("/agent/v1/enroll")
                .then()
                .statusCode(401);
        assertThat(admin.open("/machines/add/tokens/" + UUID.randomUUID() + "/revoke")
                        .statusCode())
                .isEqualTo(404);
    }

    @Test
    void shouldLetOnlyAdminsIn() {
        for (Role role : new Role[] {Role.VIEWER, Role.OPERATOR}) {
            String user = "am-" + role.wireName() + "-" + tag;
            tokens.person(org, user, "password of " + user, role);
            UnitPagesTest.Browser b = person(user, "password of " + user);
            assertThat(b.open("/machines").body().asString()).doesNotContain("href=\"/machines/add\"");
            assertThat(b.open("/machines/add").statusCode()).as(role.wireName()).isEqualTo(403);
            b.open("/machines");
            assertThat(b.post("/machines/add/tokens", Map.of("name", "x-" + tag))
                            .statusCode())
                    .as(role.wireName())
                    .isEqualTo(403);
        }
        assertThat(as(tokens.api(org, Role.ADMIN))
                        .get("/api/v1/enrollment-tokens")
                        .jsonPath()
                        .getList("$"))
                .isEmpty();
    }

    private String state(String id) {
        return as(tokens.api(org, Role.ADMIN))
                .get("/api/v1/enrollment-tokens")
                .jsonPath()
                .getString("find { it.id == '" + id + "' }.state");
    }

    private static String secretOf(Response created) {
        assertThat(created.statusCode()).isEqualTo(201);
        Matcher m = SECRET.matcher(created.body().asString());
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    private UnitPagesTest.Browser person(String user, String password) {
        UnitPagesTest.Browser b = UnitPagesTest.Browser.signIn(user, password);
        b.org = slug;
        return b;
    }
}
