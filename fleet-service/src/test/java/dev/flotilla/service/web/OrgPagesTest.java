package dev.flotilla.service.web;

import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.flotilla.service.TestDatabase;
import dev.flotilla.service.TestTokens;
import dev.flotilla.service.tenant.Role;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard's organization pages over HTTP, as a person uses them: a new organization and the
 * switcher, an invitation made on the Members page and accepted through its link by someone new
 * (local accounts), a member removed after confirming, tokens created (secret shown once) and
 * revoked after confirming, the audit log with its filter; viewers kept out of admin pages.
 */
@QuarkusTest
@QuarkusTestResource(TestDatabase.class)
class OrgPagesTest {
    private static final Pattern LINK = Pattern.compile("id=\"invitation-link\">([^<]+)<");
    private static final Pattern SECRET = Pattern.compile("id=\"token-secret\">(flt_[^<]+)<");

    @Inject
    TestTokens tokens;

    @io.quarkus.test.common.http.TestHTTPResource("/")
    java.net.URI base;

    String tag;

    @BeforeEach
    void setUp() {
        tag = UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void shouldRunAnOrganizationFromTheDashboard() {
        UUID home = tokens.org("home-" + tag);
        tokens.person(home, "own-" + tag, "owner password " + tag, Role.VIEWER);
        var owner = UnitPagesTest.Browser.signIn("own-" + tag, "owner password " + tag);

        // a viewer in "home" sees no admin pages
        assertThat(owner.open("/members").statusCode()).isEqualTo(403);
        // a new organization: its owner lands in it, and the switcher lists both
        owner.open("/orgs/new");
        Response created = owner.post("/orgs/new", Map.of("slug", "ship-" + tag, "name", "Ship " + tag));
        assertThat(created.statusCode()).isEqualTo(303);
        assertThat(owner.org).isEqualTo("ship-" + tag);
        String page = owner.open("/members").body().asString();
        assertThat(page).contains("own-" + tag, "Ship " + tag + " (owner)", "Test home-" + tag + " (viewer)");
        assertThat(owner.post("/orgs/new", Map.of("slug", "Bad Slug", "name", "x"))
                        .statusCode())
                .isEqualTo(400);

        // invite someone new; they open the link, make an account, join, and sign in
        owner.open("/members");
        String invited = owner.post(
                        "/members/invite", Map.of("email", "new-" + tag + "@example.com", "role", "operator"))
                .body()
                .asString();
        Matcher m = LINK.matcher(invited);
        assertThat(m.find()).as("the link is shown once").isTrue();
        String path = m.group(1).replaceFirst("^https?://[^/]+", "");
        var stranger = UnitPagesTest.Browser.anonymous();
        assertThat(stranger.open(path).body().asString()).contains("Join Ship " + tag, "operator");
        assertThat(stranger.post(path + "/account", Map.of("username", "new-" + tag, "password", "short"))
                        .statusCode())
                .isEqualTo(400);
        assertThat(stranger.post(path + "/account", Map.of("username", "new-" + tag, "password", "a long new password"))
                        .statusCode())
                .isEqualTo(303);
        var member = UnitPagesTest.Browser.signIn("new-" + tag, "a long new password");
        assertThat(member.open("/units").statusCode()).isEqualTo(200);
        assertThat(member.open("/members").statusCode())
                .as("operators manage no members")
                .isEqualTo(403);
        assertThat(stranger.open(path).body().asString()).contains("This invitation is accepted");

        // remove them, after a confirmation page; their next page is refused
        String members = owner.open("/members").body().asString();
        Matcher row =
                Pattern.compile("href=\"/members/([0-9a-f-]{36})/remove\"").matcher(members);
        String memberId = null;
        while (row.find()) {
            if (members.substring(Math.max(0, row.start() - 600), row.start()).contains("new-" + tag)) {
                memberId = row.group(1);
            }
        }
        assertThat(memberId).isNotNull();
        assertThat(owner.open("/members/" + memberId + "/remove").body().asString())
                .contains("Remove new-" + tag + "?");
        assertThat(owner.post("/members/" + memberId + "/remove", Map.of()).statusCode())
                .isEqualTo(303);
        assertThat(member.open("/units").statusCode()).isEqualTo(403);

        // tokens: created with the secret shown once, listed without it, revoked after confirming
        owner.open("/tokens");
        String made = owner.post("/tokens", Map.of("name", "ci-" + tag, "role", "viewer", "days", "7"))
                .body()
                .asString();
        Matcher s = SECRET.matcher(made);
        assertThat(s.find()).isTrue();
        String secret = s.group(1);
        dev.flotilla.service.Api.as(secret).get("/api/v1/machines").then().statusCode(200);
        String list = owner.open("/tokens").body().asString();
        assertThat(list).contains("ci-" + tag).doesNotContain(secret);
        Matcher revoke =
                Pattern.compile("href=\"/tokens/([0-9a-f-]{36})/revoke\"").matcher(list);
        assertThat(revoke.find()).isTrue();
        assertThat(owner.open("/tokens/" + revoke.group(1) + "/revoke").body().asString())
                .contains("Revoke the token ci-" + tag + "?");
        assertThat(owner.post("/tokens/" + revoke.group(1) + "/revoke", Map.of())
                        .statusCode())
                .isEqualTo(303);
        dev.flotilla.service.Api.as(secret).get("/api/v1/machines").then().statusCode(401);

        // every step is in the audit log, filterable
        String audit = owner.open("/audit").body().asString();
        assertThat(audit)
                .contains(
                        "org.create",
                        "invitation.create",
                        "invitation.accept",
                        "member.remove",
                        "token.create",
                        "token.revoke",
                        "token.refused")
                // who, in words, with the stored actor beside it for the filter
                .contains("<td>own-" + tag + " <small class=\"mono\">account:own-" + tag + "</small></td>");
        assertThat(owner.open("/audit?action=token").body().asString())
                .contains("token.create")
                .doesNotContain("invitation.create");
        // switching back to "home" by the switcher
        owner.open("/machines");
        assertThat(owner.post("/orgs/switch", Map.of("org", "home-" + tag)).statusCode())
                .isEqualTo(303);
        assertThat(owner.open("/members").statusCode()).isEqualTo(403);
        assertThat(owner.post("/orgs/switch", Map.of("org", "default")).statusCode())
                .as("not a member")
                .isEqualTo(404);
        // a form without its CSRF token is refused
        owner.csrfToken = null;
        assertThat(owner.post("/orgs/switch", Map.of("org", "ship-" + tag)).statusCode())
                .isEqualTo(400);
    }

    @Test
    void shouldEndALiveViewWhenItsMemberIsRemoved() throws Exception {
        UUID org = tokens.org("live-" + tag);
        String admin = tokens.api(org, Role.ADMIN);
        tokens.person(org, "watcher-" + tag, "watcher password " + tag, Role.VIEWER);
        String unit = "w-" + tag + ".service";
        dev.flotilla.service.Api.as(admin)
                .body(Map.of(
                        "content",
                        "[Service]\nExecStart=/bin/true\n[X-Fleet]\nMachineMetadata=none=" + tag + "\n",
                        "target",
                        "loaded"))
                .put("/api/v1/units/" + unit)
                .then()
                .statusCode(201);
        var watcher = UnitPagesTest.Browser.signIn("watcher-" + tag, "watcher password " + tag);
        java.net.http.HttpResponse<java.io.InputStream> stream = java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(base.resolve("/units/" + unit + "/live"))
                                .header(
                                        "Cookie",
                                        "quarkus-credential=" + watcher.session + "; flotilla_org=live-" + tag)
                                .header("Accept", "text/event-stream")
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        java.util.concurrent.CompletableFuture<Long> ended = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try (java.io.InputStream in = stream.body()) {
                while (in.read() >= 0) {
                    // drain until the service ends the stream
                }
                return System.nanoTime();
            } catch (java.io.IOException e) {
                return System.nanoTime();
            }
        });
        Thread.sleep(2500); // at least one tick while still a member
        assertThat(ended).isNotDone();
        String id = dev.flotilla.service.Api.as(admin)
                .get("/api/v1/members")
                .jsonPath()
                .getString("find { it.name == 'watcher-" + tag + "' }.id");
        long removedAt = System.nanoTime();
        dev.flotilla.service.Api.as(admin)
                .delete("/api/v1/members/" + id)
                .then()
                .statusCode(204);
        long endedAt = ended.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat((endedAt - removedAt) / 1_000_000)
                .as("ms until the live view ended")
                .isLessThan(5000);
    }

    @Test
    void shouldEndThePresenceStreamWhenItsMemberIsRemoved() throws Exception {
        UUID org = tokens.org("pres-" + tag);
        String admin = tokens.api(org, Role.ADMIN);
        tokens.person(org, "presence-" + tag, "presence password " + tag, Role.VIEWER);
        var watcher = UnitPagesTest.Browser.signIn("presence-" + tag, "presence password " + tag);
        var done = java.net.http.HttpClient.newHttpClient()
                .sendAsync(
                        java.net.http.HttpRequest.newBuilder(base.resolve("/live/presence"))
                                .header(
                                        "Cookie",
                                        "quarkus-credential=" + watcher.session + "; flotilla_org=pres-" + tag)
                                .header("Accept", "text/event-stream")
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
        Thread.sleep(2500); // at least one check while still a member: the stream stays open
        assertThat(done).isNotDone();
        String id = dev.flotilla.service.Api.as(admin)
                .get("/api/v1/members")
                .jsonPath()
                .getString("find { it.name == 'presence-" + tag + "' }.id");
        long removedAt = System.nanoTime();
        dev.flotilla.service.Api.as(admin)
                .delete("/api/v1/members/" + id)
                .then()
                .statusCode(204);
        var response = done.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat((System.nanoTime() - removedAt) / 1_000_000)
                .as("ms until the stream ended")
                .isLessThan(5000);
    }

    @Test
    void shouldSendSomeoneInNoOrganizationToMakeOne() {
        UUID gone = tokens.org("gone-" + tag);
        tokens.person(gone, "lone-" + tag, "lone password " + tag, Role.VIEWER);
        var lone = UnitPagesTest.Browser.signIn("lone-" + tag, "lone password " + tag);
        tokens.removeMembers(gone);
        Response home = lone.open("/");
        assertThat(home.statusCode()).isEqualTo(303);
        assertThat(home.header("Location")).endsWith("/orgs/new");
        assertThat(lone.open("/orgs/new").body().asString()).contains("New organization");
    }
}
