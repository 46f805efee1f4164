package dev.flotilla.service.tenant;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.flotilla.service.Fixtures;
import dev.flotilla.service.TestDatabase;
import dev.flotilla.service.TestTokens;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import static dev.flotilla.service.Api.as;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Isolation and roles, generated from the OpenAPI document: every operation it lists is called
 * (1) with organization B's owner-level credentials against organization A's resource ids, which
 * must answer 404 (never 403, never A's data) and leave every row of A unchanged, and (2) by each
 * role against the role the document states for it (the security requirement's scopes, taken from
 * the resource's {@code @RolesAllowed}), which must answer 403 exactly when the role is too low.
 * An operation added later is covered without touching this test; one whose path parameter this
 * test has no value for fails it.
 */
@QuarkusTest
@QuarkusTestResource(TestDatabase.class)
class TenantMatrixTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PARAM = Pattern.compile("\\{([^}]+)}");
    private static final String UNIT_FILE =
            "[Service]\nExecStart=/bin/sleep infinity\n[X-Fleet]\nMachineMetadata=none=%s\n";

    @Inject
    TestTokens tokens;

    @Inject
    EntityManager em;

    String tag;
    UUID orgA;
    UUID orgB;
    /** A's resources, by the path template prefix and parameter they fill. */
    Map<String, String> a = new HashMap<>();

    @BeforeEach
    void setUp() {
        tag = UUID.randomUUID().toString().substring(0, 8);
        orgA = tokens.org("a-" + tag);
        orgB = tokens.org("b-" + tag);
        String adminA = tokens.api(orgA, Role.ADMIN);
        String machine = Fixtures.newMachineId();
        Fixtures.enroll(tokens.enrollment(orgA, 1), machine, "a-host-" + tag);
        as(adminA)
                .body(Map.of("env", "prod"))
                .patch("/api/v1/machines/" + machine + "/labels")
                .then()
                .statusCode(200);
        as(adminA)
                .body(Map.of("content", UNIT_FILE.formatted(tag), "target", "launched"))
                .put("/api/v1/machines/" + machine + "/desired-units/a-" + tag + ".service")
                .then()
                .statusCode(org.hamcrest.Matchers.anyOf(org.hamcrest.Matchers.is(200), org.hamcrest.Matchers.is(201)));
        as(adminA)
                .body(Map.of("content", UNIT_FILE.formatted(tag), "target", "launched"))
                .put("/api/v1/units/a-" + tag + ".service")
                .then()
                .statusCode(201);
        as(adminA)
                .body(Map.of("name", "a-" + tag, "selector", "env=prod"))
                .post("/api/v1/update-policies")
                .then()
                .statusCode(201);
        a.put("machine", machine);
        a.put("unit", "a-" + tag + ".service");
        a.put("policy", "a-" + tag);
        a.put("label", "env");
        a.put(
                "token",
                as(adminA)
                        .body(Map.of("name", "a", "role", "viewer"))
                        .post("/api/v1/tokens")
                        .jsonPath()
                        .getString("token.id"));
        a.put(
                "enrollment",
                as(adminA)
                        .body(Map.of("name", "a", "maxUses", 1))
                        .post("/api/v1/enrollment-tokens")
                        .jsonPath()
                        .getString("token.id"));
        a.put("fleetlock", as(adminA).post("/api/v1/fleetlock-urls").jsonPath().getString("id"));
        tokens.person(orgA, "a-member-" + tag, "a member password", Role.VIEWER);
        a.put(
                "member",
                as(adminA)
                        .get("/api/v1/members")
                        .jsonPath()
                        .getString("find { it.name == 'a-member-" + tag + "' }.id"));
        a.put(
                "invitation",
                as(adminA)
                        .body(Map.of("email", "x-" + tag + "@example.com", "role", "viewer"))
                        .post("/api/v1/invitations")
                        .jsonPath()
                        .getString("invitation.id"));
        assertThat(a).doesNotContainValue(null);
    }

    @Test
    void shouldAnswerAnotherOrganizationsIdsWith404AndChangeNothing() throws Exception {
        String ownerB = tokens.api(orgB, Role.ADMIN);
        String before = snapshot(orgA);
        List<String> checked = new ArrayList<>();
        List<Operation> ops = new ArrayList<>(operations());
        // B's PUT of a name makes B's own resource of that name: those go last, after every call on A's
        ops.sort(java.util.Comparator.comparing(Operation::upsertsByName));
        for (Operation op : ops) {
            if (op.roles().isEmpty() || op.roles().equals(List.of(Actor_PERSON))) {
                continue; // FleetLock and enrollment carry their own secrets; person-only operations act on no id
            }
            Response r = call(as(ownerB), op, fill(op.path(), false), body(op));
            String text = r.body().asString();
            if (!op.hasParams()) {
                // lists and creations in B's own space: never a trace of A
                assertThat(r.statusCode()).as(op.toString()).isNotIn(401, 403, 500);
                assertThat(text)
                        .as(op + " shows nothing of A")
                        .doesNotContain(a.get("machine"), "a-" + tag, a.get("token"), a.get("member"));
                continue;
            }
            if (op.upsertsByName()) {
                // PUT of a name: B creates its own unit or policy of that name; A's stays A's (checked below)
                assertThat(r.statusCode()).as(op.toString()).isIn(200, 201, 400, 404);
            } else {
                assertThat(r.statusCode()).as(op.toString()).isEqualTo(404);
                assertThat(r.contentType())
                        .as(op.toString())
                        .startsWith(op.path().startsWith("/fleet/") ? "application/json" : "application/problem+json");
            }
            // (a 404 may repeat the id it was asked for; nothing else of A)
            assertThat(text).as(op + " shows nothing of A").doesNotContain("a-host-" + tag, "prod", "env=prod");
            checked.add(op.toString());
        }
        assertThat(checked).as("operations on ids").hasSizeGreaterThan(30);
        assertThat(snapshot(orgA)).as("A's rows after B's calls").isEqualTo(before);
    }

    @Test
    void shouldGiveEachRoleExactlyWhatTheDocumentSays() throws Exception {
        Map<Role, RequestSpecification> callers = new HashMap<>();
        for (Role role : List.of(Role.VIEWER, Role.OPERATOR, Role.ADMIN)) {
            String token = tokens.api(orgA, role);
            callers.put(role, as(token));
        }
        tokens.person(orgA, "a-owner-" + tag, "an owner password", Role.OWNER);
        String session = dev.flotilla.service.Api.signIn("a-owner-" + tag, "an owner password");
        List<String> checked = new ArrayList<>();
        for (Operation op : operations()) {
            if (op.roles().isEmpty()) {
                continue;
            }
            Role needed = op.roles().stream()
                    .map(Role::parse)
                    .filter(java.util.Objects::nonNull)
                    .min(Enum::compareTo)
                    .orElse(null);
            for (Role role : Role.values()) {
                RequestSpecification caller = role == Role.OWNER
                        ? given().cookie("quarkus-credential", session)
                                .header("Flotilla-Org", "a-" + tag)
                                .contentType(ContentType.JSON)
                        : callers.get(role);
                // ids that do not exist and bodies that do not validate: allowed calls change nothing
                Response r = call(caller, op, fill(op.path(), true), "{}");
                boolean allowed = needed == null ? role == Role.OWNER : role.includes(needed);
                if (allowed) {
                    assertThat(r.statusCode()).as(role + " " + op).isNotIn(401, 403, 500);
                } else {
                    assertThat(r.statusCode()).as(role + " " + op).isEqualTo(403);
                    // fleet's v1 API answers errors in fleet's own format ({"error": ...}), as fleetctl expects
                    assertThat(r.contentType())
                            .as(role + " " + op)
                            .startsWith(
                                    op.path().startsWith("/fleet/") ? "application/json" : "application/problem+json");
                }
                checked.add(role + " " + op);
            }
        }
        assertThat(checked).hasSizeGreaterThan(200);
    }

    private static final String Actor_PERSON = "person";

    record Operation(String method, String path, List<String> roles) {
        boolean hasParams() {
            return path.contains("{");
        }

        boolean upsertsByName() {
            return method.equals("put")
                    && (path.matches(".*/units/\\{name}") || path.equals("/api/v1/update-policies/{name}"));
        }

        @Override
        public String toString() {
            return method.toUpperCase() + " " + path;
        }
    }

    private List<Operation> operations() throws Exception {
        JsonNode doc = JSON.readTree(given().get("/q/openapi?format=json").asString());
        List<Operation> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = doc.get("paths").fields(); paths.hasNext(); ) {
            var path = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields(); ops.hasNext(); ) {
                var op = ops.next();
                List<String> roles = new ArrayList<>();
                JsonNode security = op.getValue().get("security");
                if (security != null) {
                    security.forEach(req ->
                            req.fields().forEachRemaining(e -> e.getValue().forEach(s -> roles.add(s.asText()))));
                }
                out.add(new Operation(op.getKey(), path.getKey(), roles));
            }
        }
        assertThat(out).hasSizeGreaterThan(50);
        return out;
    }

    /** The path with A's ids, or with ids that exist nowhere. */
    private String fill(String template, boolean nowhere) {
        Matcher m = PARAM.matcher(template);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String value = nowhere ? nowhere(template, m.group(1)) : value(template, m.group(1));
            assertThat(value)
                    .as("a value for {" + m.group(1) + "} in " + template)
                    .isNotNull();
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private String value(String template, String param) {
        return switch (param) {
            case "id" ->
                template.startsWith("/api/v1/machines/")
                        ? a.get("machine")
                        : template.startsWith("/api/v1/tokens/")
                                ? a.get("token")
                                : template.startsWith("/api/v1/enrollment-tokens/")
                                        ? a.get("enrollment")
                                        : template.startsWith("/api/v1/fleetlock-urls/")
                                                ? a.get("fleetlock")
                                                : template.startsWith("/api/v1/members/")
                                                        ? a.get("member")
                                                        : template.startsWith("/api/v1/invitations/")
                                                                ? a.get("invitation")
                                                                // a lease needs a host rebooting; an id of none is
                                                                // refused the same way
                                                                : template.startsWith("/api/v1/update-leases/")
                                                                        ? UUID.randomUUID()
                                                                                .toString()
                                                                        : null;
            case "name" -> template.startsWith("/api/v1/update-policies/") ? a.get("policy") : a.get("unit");
            case "key" -> a.get("label");
            case "container" -> "a-container";
            default -> null;
        };
    }

    private String nowhere(String template, String param) {
        return switch (param) {
            case "id" ->
                template.startsWith("/api/v1/machines/")
                        ? Fixtures.newMachineId()
                        : UUID.randomUUID().toString();
            case "name" -> template.startsWith("/api/v1/update-policies/") ? "none-" + tag : "none-" + tag + ".service";
            default -> "none-" + tag;
        };
    }

    /** A body that would be accepted if the target were B's, so that only the id decides. */
    private String body(Operation op) throws Exception {
        Object body = switch (op.method() + " " + op.path()) {
            case "patch /api/v1/machines/{id}/labels" -> Map.of("x", "y");
            case "put /api/v1/machines/{id}/desired-units/{name}" ->
                Map.of("content", UNIT_FILE.formatted("b"), "target", "launched");
            case "patch /api/v1/members/{id}" -> Map.of("role", "viewer");
            case "patch /api/v1/units/{name}" -> Map.of("target", "inactive");
            case "put /api/v1/units/{name}" -> Map.of("content", UNIT_FILE.formatted("b"), "target", "inactive");
            case "put /fleet/v1/units/{name}" ->
                Map.of(
                        "desiredState",
                        "inactive",
                        "options",
                        List.of(Map.of("section", "Service", "name", "ExecStart", "value", "/bin/true")));
            case "put /api/v1/update-policies/{name}" -> Map.of("name", a.get("policy"), "selector", "env=b");
            default -> Map.of();
        };
        return JSON.writeValueAsString(body);
    }

    private static Response call(RequestSpecification caller, Operation op, String path, String body) {
        RequestSpecification spec = caller.redirects().follow(false);
        if (!op.method().equals("get") && !op.method().equals("delete")) {
            spec = spec.contentType(ContentType.JSON).body(body);
        }
        return spec.request(op.method().toUpperCase(), path);
    }

    /**
     * The service's own timers write these for every organization whatever anyone calls (the
     * overview's presence history, every minute): not a change B's calls could make.
     */
    private static final java.util.Set<String> WRITTEN_BY_TIMERS = java.util.Set.of("presence_rollup");

    /** Every row of organization A, in every table that has an org_id (but those timers write). */
    @SuppressWarnings("unchecked")
    private String snapshot(UUID org) {
        return QuarkusTransaction.requiringNew().call(() -> {
            List<String> tables = em.createNativeQuery("""
                            select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
                            join pg_attribute a on a.attrelid = c.oid and a.attname = 'org_id' and not a.attisdropped
                            where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
                            order by 1""").getResultList();
            StringBuilder sb = new StringBuilder();
            for (String t : tables) {
                if (WRITTEN_BY_TIMERS.contains(t)) {
                    sb.append(t).append("=written by a timer\n");
                    continue;
                }
                Object digest = em.createNativeQuery(
                                "select count(*) || ':' || coalesce(md5(string_agg(x::text, ',' order by x::text)), '') from "
                                        + t + " x where org_id = :o")
                        .setParameter("o", org)
                        .getSingleResult();
                sb.append(t).append('=').append(digest).append('\n');
            }
            return sb.toString();
        });
    }
}
