package dev.flotilla.service.common;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.flotilla.service.Fixtures;
import dev.flotilla.service.TestDatabase;
import dev.flotilla.service.TestTokens;
import dev.flotilla.service.tenant.Role;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.config.HttpClientConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every operation of the OpenAPI document, sent what an attacker sends: NUL, very long, unicode,
 * path-trick and injection values in each path and query parameter, and malformed, wrong-typed,
 * deeply nested, oversized and NUL-bearing bodies. Each answer must come within 10 s, never be a
 * 5xx, be problem+json (fleet's own shape under {@code /fleet/v1}, FleetLock's under {@code
 * /fleetlock}) when it is a 4xx, carry no stack trace, and a refused request must store nothing.
 * The caller is an admin of the organization the test makes (the most any stranger can be).
 */
@QuarkusTest
@QuarkusTestResource(TestDatabase.class)
class HostileInputTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PARAM = Pattern.compile("\\{([^}]+)}");

    /** Values for path and query parameters, as they go on the wire (already percent-encoded). */
    static final List<String> VALUES = List.of(
            "%00",
            "a%00b",
            "x".repeat(300),
            "%E2%98%83%F0%9F%92%A9",
            "%C0%AF%FF%FE",
            "..%2F..%2Fetc%2Fpasswd",
            "%27%20or%201%3D1--",
            "%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E",
            "-1",
            "99999999999999999999999",
            "%25",
            "%20");

    /** Bodies for operations that take one. */
    static final List<String> BODIES = List.of(
            "{",
            "[]",
            "null",
            "\"text\"",
            "12",
            "{\"name\":12,\"role\":[],\"content\":{},\"target\":true}",
            "{\"name\":\"a\\u0000b\",\"content\":\"a\\u0000b\",\"slug\":\"a\\u0000b\",\"email\":\"a\\u0000b@x.y\"}",
            "{\"name\":\"" + "n".repeat(200_000) + "\"}",
            "[".repeat(5000) + "]".repeat(5000),
            "{\"unknown\":1}",
            "{\"name\":\"\\u202e\\ufeff\",\"selector\":\"((((\",\"windows\":[{\"cron\":\"* * * * * * *\"}]}");

    /** Tables a refused request could write to; those the service's own loops write are left out. */
    static final String COUNTS = "select (select count(*) from organization) || ',' || (select count(*) from member)"
            + " || ',' || (select count(*) from invitation) || ',' || (select count(*) from api_token)"
            + " || ',' || (select count(*) from enrollment_token) || ',' || (select count(*) from machine)"
            + " || ',' || (select count(*) from unit) || ',' || (select count(*) from update_policy)";

    @Inject
    TestTokens tokens;

    @Inject
    EntityManager em;

    record Operation(String method, String path, List<String> query, boolean body) {
        @Override
        public String toString() {
            return method.toUpperCase() + " " + path;
        }
    }

    @Test
    void shouldAnswerEveryOperationsHostileInputWithA4xxProblemAndStoreNothing() throws Exception {
        UUID org = tokens.org("hostile-" + UUID.randomUUID().toString().substring(0, 8));
        String admin = tokens.api(org, Role.ADMIN);
        String machine = Fixtures.newMachineId();
        Fixtures.enroll(tokens.enrollment(org, 1), machine, "target");
        List<String> failures = new ArrayList<>();
        int sent = 0;
        for (Operation op : operations()) {
            List<String> paths = new ArrayList<>();
            if (PARAM.matcher(op.path()).find()) {
                for (String v : VALUES) {
                    paths.add(fill(op.path(), v, machine));
                }
            } else {
                paths.add(op.path());
            }
            for (String q : op.query()) {
                for (String v : VALUES) {
                    paths.add(fill(op.path(), null, machine) + "?" + q + "=" + v);
                }
            }
            for (String path : paths) {
                failures.addAll(check(op, path, admin, op.body() ? "{}" : null));
                sent++;
            }
            if (op.body()) {
                for (String body : BODIES) {
                    failures.addAll(check(op, fill(op.path(), null, machine), admin, body));
                    sent++;
                }
            }
        }
        assertThat(sent).isGreaterThan(500);
        assertThat(failures).as("answers out of bounds").isEmpty();
    }

    private List<String> check(Operation op, String path, String token, String body) {
        String before = counts();
        RequestSpecification r = caller(token).urlEncodingEnabled(false);
        if (body != null) {
            r = r.contentType("application/json").body(body);
        }
        long started = System.nanoTime();
        Response res;
        try {
            res = r.request(op.method(), path);
        } catch (RuntimeException e) {
            return List.of(op + " " + shorten(path) + ": no answer (" + e + ")");
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        List<String> out = new ArrayList<>();
        String what = op + " " + shorten(path) + (body == null ? "" : " body " + shorten(body));
        int status = res.statusCode();
        String text = res.asString();
        if (millis > 10_000) {
            out.add(what + ": took " + millis + " ms");
        }
        if (status >= 500) {
            out.add(what + ": " + status + " " + shorten(text));
        }
        if (status >= 400 && status < 500) {
            String type = String.valueOf(res.contentType());
            boolean fleetShape = path.startsWith("/fleet/") || path.startsWith("/fleetlock/");
            if (!(type.startsWith("application/problem+json") || (fleetShape && type.startsWith("application/json")))) {
                out.add(what + ": " + status + " answered as '" + type + "'");
            }
            if (!counts().equals(before)) {
                out.add(what + ": refused with " + status + " but stored something");
            }
        }
        if (status >= 400
                && (text.contains("Exception") || text.contains("\tat ") || text.contains("at dev.flotilla"))) {
            out.add(what + ": a stack trace or class name in the answer: " + shorten(text));
        }
        return out;
    }

    private static RequestSpecification caller(String token) {
        return given().header("Authorization", "Bearer " + token)
                .config(RestAssuredConfig.config()
                        .httpClient(HttpClientConfig.httpClientConfig()
                                .setParam("http.socket.timeout", 15_000)
                                .setParam("http.connection.timeout", 5_000)));
    }

    private String counts() {
        return QuarkusTransaction.requiringNew()
                .call(() -> String.valueOf(em.createNativeQuery(COUNTS).getSingleResult()));
    }

    private static String shorten(String s) {
        return s.length() > 120 ? s.substring(0, 120) + "…(" + s.length() + ")" : s;
    }

    /** The path with each parameter {@code value}, or (null) with the target machine and names that exist nowhere. */
    private static String fill(String template, String value, String machine) {
        Matcher m = PARAM.matcher(template);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String v = value != null
                    ? value
                    : m.group(1).equals("id") && template.startsWith("/api/v1/machines/")
                            ? machine
                            : m.group(1).equals("id") ? UUID.randomUUID().toString() : "hostile.service";
            m.appendReplacement(sb, Matcher.quoteReplacement(v));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static List<Operation> operations() throws Exception {
        JsonNode doc = JSON.readTree(given().get("/q/openapi?format=json").asString());
        List<Operation> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = doc.get("paths").fields(); paths.hasNext(); ) {
            var path = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields(); ops.hasNext(); ) {
                var op = ops.next();
                if (op.getKey().equals("parameters")) {
                    continue;
                }
                List<String> query = new ArrayList<>();
                JsonNode params = op.getValue().get("parameters");
                if (params != null) {
                    params.forEach(p -> {
                        if ("query".equals(p.path("in").asText())) {
                            query.add(p.get("name").asText());
                        }
                    });
                }
                out.add(new Operation(
                        op.getKey(), path.getKey(), query, op.getValue().has("requestBody")));
            }
        }
        assertThat(out).hasSizeGreaterThan(50);
        return out;
    }
}
