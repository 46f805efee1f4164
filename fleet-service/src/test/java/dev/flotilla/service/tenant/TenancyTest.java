package dev.flotilla.service.tenant;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.flotilla.service.Api;
import dev.flotilla.service.Fixtures;
import dev.flotilla.service.TestDatabase;
import dev.flotilla.service.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import static dev.flotilla.service.Api.as;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * Organizations, members and invitations with local accounts; token refusals and their audit
 * entries; and the database's second wall (row-level security) seen from a request and from SQL.
 */
@QuarkusTest
@QuarkusTestResource(TestDatabase.class)
class TenancyTest {
    @Inject
    TestTokens tokens;

    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String dbUrl;

    String tag;

    @BeforeEach
    void setUp() {
        tag = UUID.randomUUID().toString().substring(0, 8);
    }

    private RequestSpecification person(String cookie) {
        return given().cookie("quarkus-credential", cookie)
                .contentType(ContentType.JSON)
                .log()
                .ifValidationFails();
    }

    @Test
    void shouldCreateOrganizationsAndSwitchBetweenThem() {
        UUID first = tokens.org("first-" + tag);
        tokens.person(first, "p-" + tag, "p password " + tag, Role.VIEWER);
        String cookie = Api.signIn("p-" + tag, "p password " + tag);
        person(cookie)
                .body(Map.of("slug", "second-" + tag, "name", "Second " + tag))
                .post("/api/v1/orgs")
                .then()
                .statusCode(201)
                .body("role", is("owner"));
        person(cookie)
                .get("/api/v1/orgs")
                .then()
                .statusCode(200)
                .body("slug", contains("first-" + tag, "second-" + tag))
                .body("find { it.slug == 'first-" + tag + "' }.current", is(true));
        // a viewer in the first, the owner of the second: the header (or the dashboard's switcher) picks
        person(cookie).get("/api/v1/members").then().statusCode(403);
        person(cookie)
                .header("Flotilla-Org", "second-" + tag)
                .get("/api/v1/members")
                .then()
                .statusCode(200)
                .body("name", hasItem("p-" + tag));
        person(cookie)
                .cookie("flotilla_org", "second-" + tag)
                .get("/api/v1/members")
                .then()
                .statusCode(200);
        // an organization one is not a member of: none, so nothing at all
        person(cookie)
                .header("Flotilla-Org", "default")
                .get("/api/v1/machines")
                .then()
                .statusCode(403);
        // slugs are unique and checked
        person(cookie)
                .body(Map.of("slug", "second-" + tag, "name", "again"))
                .post("/api/v1/orgs")
                .then()
                .statusCode(409);
        person(cookie)
                .body(Map.of("slug", "../Etc", "name", "x"))
                .post("/api/v1/orgs")
                .then()
                .statusCode(400);
        // a token belongs to one organization and cannot make others
        as(tokens.api(first, Role.ADMIN))
                .body(Map.of("slug", "t-" + tag, "name", "x"))
                .post("/api/v1/orgs")
                .then()
                .statusCode(403);
    }

    @Test
    void shouldInviteAMemberAndRefuseThemAtOnceWhenRemoved() {
        UUID org = tokens.org("inv-" + tag);
        String owner = tokens.api(org, Role.ADMIN);
        Response created = as(owner)
                .body(Map.of("email", "new-" + tag + "@example.com", "role", "operator"))
                .post("/api/v1/invitations");
        assertThat(created.statusCode()).isEqualTo(201);
        String link = created.jsonPath().getString("link");
        assertThat(link).contains("/invitations/fli_");
        String secret = link.substring(link.lastIndexOf('/') + 1);
        as(owner)
                .get("/api/v1/invitations")
                .then()
                .body("[0].state", is("pending"))
                .body("[0]", not(hasKey("secret")));

        // the invitee: a local account in no organization yet
        UUID elsewhere = tokens.org("else-" + tag);
        tokens.person(elsewhere, "inv-" + tag, "invitee password", Role.VIEWER);
        String cookie = Api.signIn("inv-" + tag, "invitee password");
        person(cookie)
                .body(Map.of("secret", secret))
                .post("/api/v1/orgs/join")
                .then()
                .statusCode(200)
                .body("slug", is("inv-" + tag))
                .body("role", is("operator"));
        person(cookie)
                .body(Map.of("secret", secret))
                .post("/api/v1/orgs/join")
                .then()
                .statusCode(410)
                .body("detail", containsString("accepted"));
        person(cookie)
                .body(Map.of("secret", "fli_nonsense"))
                .post("/api/v1/orgs/join")
                .then()
                .statusCode(404);
        person(cookie)
                .header("Flotilla-Org", "inv-" + tag)
                .get("/api/v1/units")
                .then()
                .statusCode(200);

        // the new member makes a token; removing them refuses their session and their token at once
        tokens.person(org, "boss-" + tag, "boss password", Role.OWNER);
        String boss = Api.signIn("boss-" + tag, "boss password");
        String theirs = person(cookie)
                .header("Flotilla-Org", "inv-" + tag)
                .body(Map.of("name", "x", "role", "viewer"))
                .post("/api/v1/tokens")
                .then()
                .statusCode(403)
                .extract()
                .asString();
        assertThat(theirs).contains("\"status\":403").doesNotContain("flt_");
        String memberId = person(boss)
                .header("Flotilla-Org", "inv-" + tag)
                .get("/api/v1/members")
                .jsonPath()
                .getString("find { it.name == 'inv-" + tag + "' }.id");
        person(boss)
                .header("Flotilla-Org", "inv-" + tag)
                .body(Map.of("role", "admin"))
                .patch("/api/v1/members/" + memberId)
                .then()
                .statusCode(200)
                .body("role", is("admin"));
        String token = person(cookie)
                .header("Flotilla-Org", "inv-" + tag)
                .body(Map.of("name", "theirs", "role", "viewer"))
                .post("/api/v1/tokens")
                .then()
                .statusCode(201)
                .extract()
                .jsonPath()
                .getString("secret");
        as(token).get("/api/v1/units").then().statusCode(200);
        person(boss)
                .header("Flotilla-Org", "inv-" + tag)
                .delete("/api/v1/members/" + memberId)
                .then()
                .statusCode(204);
        person(cookie)
                .header("Flotilla-Org", "inv-" + tag)
                .get("/api/v1/units")
                .then()
                .statusCode(403);
        as(token)
                .get("/api/v1/units")
                .then()
                .statusCode(401)
                .contentType("application/problem+json")
                .body("detail", containsString("creator is no longer a member"));
        // the last owner stays
        String bossId = person(boss)
                .header("Flotilla-Org", "inv-" + tag)
                .get("/api/v1/members")
                .jsonPath()
                .getString("find { it.name == 'boss-" + tag + "' }.id");
        person(boss)
                .header("Flotilla-Org", "inv-" + tag)
                .body(Map.of("role", "viewer"))
                .patch("/api/v1/members/" + bossId)
                .then()
                .statusCode(409);
        // all of it is in the audit log
        List<String> actions =
                as(owner).get("/api/v1/audit?limit=100").jsonPath().getList("items.action");
        assertThat(actions)
                .contains("invitation.create", "invitation.accept", "member.role", "member.remove", "token.refused");
    }

    @Test
    void shouldRefuseBadTokensClearlyAndAuditThem() throws Exception {
        UUID org = tokens.org("tok-" + tag);
        String admin = tokens.api(org, Role.ADMIN);
        var expiredToken = as(admin)
                .body(Map.of("name", "e", "role", "viewer"))
                .post("/api/v1/tokens")
                .jsonPath();
        var revokedToken = as(admin)
                .body(Map.of("name", "r", "role", "viewer"))
                .post("/api/v1/tokens")
                .jsonPath();
        String expired = expiredToken.getString("secret");
        String revoked = revokedToken.getString("secret");
        as(admin)
                .delete("/api/v1/tokens/" + revokedToken.getString("token.id"))
                .then()
                .statusCode(200);
        sql("update api_token set expires_at = now() - interval '1 second' where id = '"
                + expiredToken.getString("token.id") + "'");
        Map<String, String> cases = Map.of(
                expired,
                "the API token is expired",
                revoked,
                "the API token is revoked",
                "flt_short",
                "the API token is malformed",
                "flt_" + "A".repeat(43),
                "the API token is unknown",
                "flt_" + "B".repeat(500),
                "the API token is malformed");
        cases.forEach((token, detail) -> as(token)
                .get("/api/v1/machines")
                .then()
                .statusCode(401)
                .contentType("application/problem+json")
                .header("WWW-Authenticate", containsString("Bearer"))
                .body("detail", is(detail)));
        // not a Flotilla token at all (a JWT from elsewhere): 401 too, and recorded (with no organization)
        long foreignBefore = count("select count(*) from audit_event where action = 'credential.refused'");
        given().header("Authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.e30.x")
                .get("/api/v1/machines")
                .then()
                .statusCode(401)
                .contentType("application/problem+json");
        Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(5))
                .until(() ->
                        count("select count(*) from audit_event where action = 'credential.refused'") > foreignBefore);
        List<Map<String, Object>> refused = as(admin)
                .get("/api/v1/audit?action=token.refused&outcome=refused")
                .jsonPath()
                .getList("items");
        assertThat(refused)
                .extracting(e -> e.get("summary"))
                .contains("the API token is expired", "the API token is revoked");
        assertThat(refused).allSatisfy(e -> assertThat(e.get("sourceIp")).isNotNull());
    }

    @Inject
    RequestLimits limits;

    @Test
    void shouldStopPasswordGuessingForAUserName() throws Exception {
        UUID org = tokens.org("guess-" + tag);
        tokens.person(org, "guessed-" + tag, "the right password " + tag, Role.VIEWER);
        tokens.person(org, "other-" + tag, "other password " + tag, Role.VIEWER);
        for (int i = 0; i < 10; i++) {
            assertThat(Api.signIn("guessed-" + tag, "wrong " + i)).isNull();
        }
        assertThat(Api.signIn("guessed-" + tag, "the right password " + tag))
                .as("the right password after 10 wrong ones within 15 minutes")
                .isNull();
        assertThat(Api.signIn("other-" + tag, "other password " + tag))
                .as("another user")
                .isNotNull();
        assertThat(count("select count(*) from audit_event where action = 'sign-in' and outcome = 'refused'"
                        + " and target_id = 'guessed-" + tag + "' and summary like 'too many failed sign-ins%'"))
                .isEqualTo(1);
    }

    @Test
    void shouldRefuseTokensWhoseMakerLostTheirRole() {
        UUID org = tokens.org("chain-" + tag);
        String system = tokens.api(org, Role.ADMIN);
        tokens.person(org, "mk-" + tag, "maker password " + tag, Role.ADMIN);
        String cookie = Api.signIn("mk-" + tag, "maker password " + tag);
        String first = person(cookie)
                .body(Map.of("name", "a", "role", "admin"))
                .post("/api/v1/tokens")
                .then()
                .statusCode(201)
                .extract()
                .jsonPath()
                .getString("secret");
        String second = as(first)
                .body(Map.of("name", "b", "role", "operator"))
                .post("/api/v1/tokens")
                .then()
                .statusCode(201)
                .extract()
                .jsonPath()
                .getString("secret");
        as(second).get("/api/v1/units").then().statusCode(200);
        String makerId =
                as(system).get("/api/v1/members").jsonPath().getString("find { it.name == 'mk-" + tag + "' }.id");
        as(system)
                .body(Map.of("role", "viewer"))
                .patch("/api/v1/members/" + makerId)
                .then()
                .statusCode(200);
        as(first)
                .get("/api/v1/units")
                .then()
                .statusCode(401)
                .body("detail", containsString("creator no longer has the role admin"));
        as(second).get("/api/v1/units").then().statusCode(401);
        // an admin cannot make an owner, and a token never outranks its maker
        as(system)
                .body(Map.of("role", "owner"))
                .patch("/api/v1/members/" + makerId)
                .then()
                .statusCode(403);
    }

    @Test
    void shouldLimitTheRequestRateOfAnOrganization() throws Exception {
        UUID slow = tokens.org("rate-" + tag);
        UUID other = tokens.org("free-" + tag);
        String token = tokens.api(slow, Role.VIEWER);
        sql("update organization set max_requests_per_second = 2 where id = '" + slow + "'");
        limits.refresh();
        Response limited = null;
        for (int i = 0; i < 20 && limited == null; i++) {
            Response r = as(token).get("/api/v1/units");
            if (r.statusCode() == 429) {
                limited = r;
            } else {
                assertThat(r.statusCode()).isEqualTo(200);
            }
        }
        assertThat(limited).as("a 429 within 20 quick requests at 2 a second").isNotNull();
        assertThat(limited.contentType()).startsWith("application/problem+json");
        assertThat(Integer.parseInt(limited.header("Retry-After"))).isBetween(1, 2);
        assertThat(limited.jsonPath().getString("detail")).contains("retry in");
        // another organization is not slowed down
        as(tokens.api(other, Role.VIEWER)).get("/api/v1/units").then().statusCode(200);
        // and after waiting as told, the slow one is served again
        Thread.sleep(Integer.parseInt(limited.header("Retry-After")) * 1000L);
        as(token).get("/api/v1/units").then().statusCode(200);
    }

    @Test
    void shouldRefuseMachinesAndUnitsBeyondTheQuota() throws Exception {
        UUID org = tokens.org("quota-" + tag);
        sql("update organization set max_machines = 1, max_units = 1 where id = '" + org + "'");
        String enroll = tokens.enrollment(org, 2);
        Fixtures.enroll(enroll, Fixtures.newMachineId(), "q1-" + tag);
        Response second = Api.anonymous()
                .body(Map.of("token", enroll, "machineId", Fixtures.newMachineId(), "hostname", "q2-" + tag))
                .post("/agent/v1/enroll");
        assertThat(second.statusCode()).isEqualTo(409);
        assertThat(second.contentType()).startsWith("application/problem+json");
        assertThat(second.jsonPath().getString("detail")).contains("quota of 1 machines");
        String admin = tokens.api(org, Role.ADMIN);
        assertThat(as(admin).get("/api/v1/enrollment-tokens").jsonPath().getInt("[0].uses"))
                .as("the refused enrollment spent no use")
                .isEqualTo(1);
        String unit = "[Service]\nExecStart=/bin/true\n[X-Fleet]\nMachineMetadata=none=" + tag + "\n";
        as(admin)
                .body(Map.of("content", unit, "target", "loaded"))
                .put("/api/v1/units/a.service")
                .then()
                .statusCode(201);
        as(admin)
                .body(Map.of("content", unit, "target", "loaded"))
                .put("/api/v1/units/b.service")
                .then()
                .statusCode(409)
                .contentType("application/problem+json")
                .body("detail", containsString("quota of 1 units"));
        as(admin)
                .body(Map.of("content", unit, "target", "inactive"))
                .put("/api/v1/units/a.service")
                .then()
                .statusCode(200);
        // The quota reads counters its triggers keep (V17): a destroyed unit frees its place.
        as(admin).delete("/api/v1/units/a.service").then().statusCode(204);
        as(admin)
                .body(Map.of("content", unit, "target", "loaded"))
                .put("/api/v1/units/b.service")
                .then()
                .statusCode(201);
        for (String table : List.of("machine", "unit")) {
            assertThat(count("select " + table + "_count from organization where id = '" + org + "'"))
                    .as(table + "_count")
                    .isEqualTo(count("select count(*) from " + table + " where org_id = '" + org + "'"))
                    .isEqualTo(1);
        }
    }

    private long count(String query) throws Exception {
        try (Connection c = DriverManager.getConnection(dbUrl, "postgres", "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private void sql(String statement) throws Exception {
        try (Connection c = DriverManager.getConnection(dbUrl, "postgres", "");
                Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    @Test
    void shouldHideOtherOrganizationsRowsFromAQueryWithoutAFilter() throws Exception {
        UUID a = tokens.org("wa-" + tag);
        UUID b = tokens.org("wb-" + tag);
        Fixtures.enroll(tokens.enrollment(a, 1), Fixtures.newMachineId(), "wall-" + tag);
        Response seen = as(tokens.api(b, Role.VIEWER)).get("/test/wall");
        seen.then().statusCode(200);
        assertThat(seen.jsonPath().getString("role")).isEqualTo("flotilla_tenant");
        assertThat(seen.jsonPath().getList("machineOrgs")).doesNotContain(a.toString());
        assertThat(seen.jsonPath().getList("organizations")).containsExactly("wb-" + tag);
        List<String> seenByA =
                as(tokens.api(a, Role.VIEWER)).get("/test/wall").jsonPath().getList("machineOrgs");
        assertThat(seenByA).containsExactly(a.toString());
    }

    @Test
    void shouldProtectEveryTenantTableWithRowLevelSecurity() throws Exception {
        try (Connection c = DriverManager.getConnection(dbUrl, "postgres", "");
                Statement s = c.createStatement()) {
            List<String> unprotected = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("""
                    select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
                    join pg_attribute a on a.attrelid = c.oid and a.attname in ('org_id') and not a.attisdropped
                    where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
                      and (not c.relrowsecurity or not exists (select 1 from pg_policy p where p.polrelid = c.oid))""")) {
                while (rs.next()) {
                    unprotected.add(rs.getString(1));
                }
            }
            assertThat(unprotected)
                    .as("tables with org_id and no row-level security")
                    .isEmpty();
            // as the tenant role with no organization set, nothing at all
            c.setAutoCommit(false);
            s.execute("set local role flotilla_tenant");
            try (ResultSet rs = s.executeQuery(
                    "select (select count(*) from machine) + (select count(*) from organization) + (select count(*) from api_token)")) {
                rs.next();
                assertThat(rs.getLong(1)).isZero();
            }
            // and the audit log cannot be rewritten, even by the tables' owner
            c.rollback();
            s.execute("set local role flotilla_tenant");
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> s.execute("delete from audit_event")))
                    .isNotNull();
            c.rollback();
            assertThat(org.assertj.core.api.Assertions.catchThrowable(
                            () -> s.execute("update audit_event set actor = 'x'")))
                    .hasMessageContaining("append-only");
            c.rollback();
        }
    }
}
