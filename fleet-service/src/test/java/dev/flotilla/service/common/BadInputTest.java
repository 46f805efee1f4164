package dev.flotilla.service.common;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.flotilla.service.Fixtures;
import dev.flotilla.service.TestDatabase;
import dev.flotilla.service.TestTokens;
import dev.flotilla.service.tenant.Role;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

import static dev.flotilla.service.Api.as;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/**
 * Bad input of every kind gets a clear 4xx problem and leaves the database as it was. Each test
 * snapshots the tables it could touch and compares after.
 */
@QuarkusTest
@QuarkusTestResource(TestDatabase.class)
class BadInputTest {
    private static final String PROBLEM = "application/problem+json";

    @Inject
    TestTokens tokens;

    @Inject
    EntityManager em;

    String admin;
    String machineId;
    Map<String, Object> before;

    @BeforeEach
    void setUp() {
        admin = tokens.api(Role.ADMIN);
        machineId = Fixtures.newMachineId();
        Fixtures.enroll(tokens.enrollment(1), machineId, "victim");
        before = snapshot();
    }

    @AfterEach
    void databaseIsUnchanged() {
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void shouldRefuseANulCharacterInAnyUrlOrJsonString() {
        for (String path : new String[] {
            "/api/v1/units/%00",
            "/api/v1/units/a%00b.service",
            "/api/v1/audit?actor=%00",
            "/api/v1/machines?selector=role%3D%00",
            "/api/v1/machines/" + "x%00"
        }) {
            as(admin)
                    .urlEncodingEnabled(false)
                    .get(path)
                    .then()
                    .statusCode(400)
                    .contentType(PROBLEM)
                    .body("detail", containsString("NUL"));
        }
        as(admin)
                .urlEncodingEnabled(false)
                .get("/fleet/v1/state?unitName=%00")
                .then()
                .statusCode(400)
                .body("error.code", is(400))
                .body("error.message", containsString("NUL"));
        Map<String, String> bodies = Map.of(
                "/api/v1/tokens", "{\"name\":\"a\\u0000b\",\"role\":\"viewer\",\"ttl\":\"PT1H\"}",
                "/api/v1/enrollment-tokens", "{\"name\":\"a\\u0000b\",\"maxUses\":1,\"ttl\":\"PT1H\"}");
        bodies.forEach((path, body) -> as(admin)
                .body(body)
                .post(path)
                .then()
                .statusCode(400)
                .contentType(PROBLEM)
                .body("detail", is("invalid value for 'name'")));
    }

    @Test
    void shouldAnswerOversizedUrlsAndHeadersWithAProblem() {
        as(admin)
                .get("/api/v1/units?cursor=" + "a".repeat(5000))
                .then()
                .statusCode(414)
                .contentType(PROBLEM)
                .body("status", is(414));
        as(admin)
                .header("X-Padding", "p".repeat(25_000))
                .get("/api/v1/units")
                .then()
                .statusCode(431)
                .contentType(PROBLEM)
                .body("status", is(431));
    }

    @Test
    void shouldRefuseCursorsItDidNotMake() {
        String long1k = "A".repeat(1000);
        String random = java.util.Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(new byte[] {(byte) 0xff, 0, (byte) 0xfe, 0x41, 0x42, 0x43});
        for (String cursor : new String[] {long1k, random, "x".repeat(2000)}) {
            for (String path : new String[] {
                "/api/v1/units?cursor=",
                "/api/v1/update-policies?cursor=",
                "/api/v1/machines?cursor=",
                "/fleet/v1/units?nextPageToken=",
                "/fleet/v1/state?nextPageToken="
            }) {
                as(admin).get(path + cursor).then().statusCode(400);
            }
        }
    }

    @Test
    void shouldRefuseMalformedJson() {
        for (String path : new String[] {"/api/v1/tokens", "/api/v1/enrollment-tokens", "/agent/v1/enroll"}) {
            as(admin)
                    .body("{\"name\": \"x\",")
                    .post(path)
                    .then()
                    .statusCode(400)
                    .contentType(PROBLEM)
                    .body("detail", containsString("malformed JSON"));
            as(admin).body("[1,2,3]").post(path).then().statusCode(400).contentType(PROBLEM);
            as(admin).body("null").post(path).then().statusCode(400).contentType(PROBLEM);
            as(admin)
                    .body("\"just a string\"")
                    .post(path)
                    .then()
                    .statusCode(400)
                    .contentType(PROBLEM);
        }
        as(admin)
                .body("{not json")
                .patch("/api/v1/machines/" + machineId + "/labels")
                .then()
                .statusCode(400)
                .contentType(PROBLEM);
        as(admin)
                .body("{}")
                .patch("/api/v1/machines/" + machineId + "/labels")
                .then()
                .statusCode(400)
                .contentType(PROBLEM);
    }

    @Test
    void shouldRefuseUnknownFieldsAndWrongTypes() {
        as(admin)
                .body("{\"name\":\"x\",\"role\":\"viewer\",\"isRoot\":true}")
                .post("/api/v1/tokens")
                .then()
                .statusCode(400)
                .contentType(PROBLEM)
                .body("detail", is("unknown field 'isRoot'"));
        as(admin)
                .body("{\"name\":\"x\",\"maxUses\":\"many\"}")
                .post("/api/v1/enrollment-tokens")
                .then()
                .statusCode(400)
                .contentType(PROBLEM)
                .body("detail", containsString("maxUses"));
        as(admin)
                .body("{\"name\":\"x\",\"ttl\":\"forever\"}")
                .post("/api/v1/enrollment-tokens")
                .then()
                .statusCode(400)
                .contentType(PROBLEM)
                .body("detail", containsString("ttl"));
        as(admin)
                .body("{\"name\":\"x\",\"maxUses\":0}")
                .post("/api/v1/enrollment-tokens")
                .then()
                .statusCode(400)
                .contentType(PROBLEM);
        as(admin)
                .body("{\"region\":{\"nested\":1}}")
                .patch("/api/v1/machines/" + machineId + "/labels")
                .then()
                .statusCode(400)
                .contentType(PROBLEM);
    }

    @Test
    void shouldRefuseAnOversizedBody() {
        String big = "{\"name\":\"" + "x".repeat(2 * 1024 * 1024) + "\",\"role\":\"viewer\"}";
        as(admin)
                .body(big)
                .post("/api/v1/tokens")
                .then()
                .statusCode(413)
                .contentType(PROBLEM)
                .body("detail", containsString("larger than"));
    }

    @Test
    void shouldRefuseAnOversizedChunkedBodyWithAProblem() throws Exception {
        // A body from a stream goes out chunked: no Content-Length to refuse it by before reading.
        String big = "{\"name\":\"" + "x".repeat(2 * 1024 * 1024) + "\",\"role\":\"viewer\"}";
        var response = postChunked("/api/v1/tokens", big);
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.headers().firstValue("Content-Type")).hasValue(PROBLEM);
        assertThat(response.body()).contains("larger than");
    }

    @Test
    void shouldReadAChunkedBodyWithinTheLimit() throws Exception {
        // Refused for its role, which the resource can only say once it has read the chunked body.
        var response = postChunked("/api/v1/tokens", "{\"name\":\"chunked\",\"role\":\"emperor\"}");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValue(PROBLEM);
        assertThat(response.body()).contains("role must be one of");
    }

    private java.net.http.HttpResponse<String> postChunked(String path, String body) throws Exception {
        byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        var http = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1)
                .build();
        return http.send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                                io.restassured.RestAssured.baseURI + ":" + io.restassured.RestAssured.port + path))
                        .header("Authorization", "Bearer " + admin)
                        .header("Content-Type", "application/json")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(
                                () -> new java.io.ByteArrayInputStream(bytes)))
                        .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldRefuseAWrongContentType() {
        given().header("Authorization", "Bearer " + admin)
                .contentType(ContentType.TEXT)
                .body("name=x")
                .post("/api/v1/tokens")
                .then()
                .statusCode(415)
                .contentType(PROBLEM);
    }

    @Test
    void shouldExplainASelectorThatDoesNotParse() {
        for (String selector : new String[] {"region=", "role in (web", "a b", "=x", "role in ()", "k=v,", "!"}) {
            as(admin)
                    .queryParam("selector", selector)
                    .get("/api/v1/machines")
                    .then()
                    .statusCode(400)
                    .contentType(PROBLEM)
                    .body("detail", containsString("invalid label selector"));
        }
    }

    @Test
    void shouldTreatSqlMetacharactersAsData() {
        as(admin)
                .queryParam("selector", "region='eu' or 1=1")
                .get("/api/v1/machines")
                .then()
                .statusCode(400)
                .contentType(PROBLEM);
        as(admin)
                .queryParam("selector", "x;drop table machine")
                .get("/api/v1/machines")
                .then()
                .statusCode(400)
                .contentType(PROBLEM);
        as(admin)
                .queryParam("q", "' or 1=1; drop table machine; --")
                .get("/api/v1/machines")
                .then()
                .statusCode(200)
                .body("items.size()", is(0));
        as(admin)
                .queryParam("q", "\\")
                .get("/api/v1/machines")
                .then()
                .statusCode(200)
                .body("items.size()", is(0));
        as(admin)
                .queryParam("presence", "online' or '1'='1")
                .get("/api/v1/machines")
                .then()
                .statusCode(400)
                .contentType(PROBLEM);
        as(admin).get("/api/v1/machines/1' or '1'='1").then().statusCode(404).contentType(PROBLEM);
        Map<String, String> label = new LinkedHashMap<>();
        label.put("k'; drop table machine; --", "v");
        as(admin)
                .body(label)
                .patch("/api/v1/machines/" + machineId + "/labels")
                .then()
                .statusCode(400)
                .contentType(PROBLEM);
    }

    @Test
    void shouldRefuseBadPagingParameters() {
        as(admin)
                .queryParam("limit", "abc")
                .get("/api/v1/machines")
                .then()
                .statusCode(400)
                .contentType(PROBLEM);
        as(admin)
                .queryParam("limit", "0")
                .get("/api/v1/machines")
                .then()
                .statusCode(400)
                .contentType(PROBLEM);
        as(admin)
                .queryParam("limit", "100000")
                .get("/api/v1/machines")
                .then()
                .statusCode(400)
                .contentType(PROBLEM);
        as(admin)
                .queryParam("cursor", "not-a-cursor!")
                .get("/api/v1/machines")
                .then()
                .statusCode(400)
                .contentType(PROBLEM)
                .body("detail", is("invalid cursor"));
        as(admin)
                .queryParam("cursor", "bm9wZQ")
                .get("/api/v1/machines/" + machineId + "/events")
                .then()
                .statusCode(400);
    }

    @Test
    void shouldAnswerUnknownRoutesWithAProblem() {
        as(admin).get("/api/v1/nothing-here").then().statusCode(404).contentType(PROBLEM);
        as(admin).put("/api/v1/machines").then().statusCode(405).contentType(PROBLEM);
        as(admin).delete("/api/v1/tokens/not-a-uuid").then().statusCode(404).contentType(PROBLEM);
    }

    private Map<String, Object> snapshot() {
        Map<String, Object> s = new LinkedHashMap<>();
        for (String table : new String[] {"account", "api_token", "enrollment_token", "machine", "organization"}) {
            s.put(table, em.createNativeQuery("select count(*) from " + table).getSingleResult());
        }
        s.put(
                "labels",
                em.createNativeQuery("select labels::text from machine where id = :id")
                        .setParameter("id", machineId)
                        .getSingleResult());
        s.put(
                "uses",
                em.createNativeQuery("select sum(uses) from enrollment_token").getSingleResult());
        return s;
    }
}
