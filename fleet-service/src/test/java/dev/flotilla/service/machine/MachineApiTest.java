package dev.flotilla.service.machine;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.flotilla.api.protocol.Welcome;
import dev.flotilla.service.Fixtures;
import dev.flotilla.service.TestAgent;
import dev.flotilla.service.TestDatabase;
import dev.flotilla.service.TestTokens;
import dev.flotilla.service.tenant.Role;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.core.Vertx;

import static dev.flotilla.service.Api.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/** The inventory API: filters, pagination, labels, removal. */
@QuarkusTest
@QuarkusTestResource(TestDatabase.class)
class MachineApiTest {
    @TestHTTPResource("/")
    URI base;

    @Inject
    Vertx vertx;

    @Inject
    TestTokens tokens;

    String admin;
    String run;
    final Map<String, String> ids = new HashMap<>();
    final Map<String, String> credentials = new HashMap<>();

    /** Five machines labelled with this test's run id; web-1 and db-1 in eu, web-2 in us. */
    @BeforeEach
    void fleet() {
        admin = tokens.api(Role.ADMIN);
        run = "r" + UUID.randomUUID().toString().substring(0, 8);
        String enroll = tokens.enrollment(10);
        Map<String, Map<String, String>> labels = Map.of(
                "web-1", Map.of("region", "eu", "role", "web"),
                "web-2", Map.of("region", "us", "role", "web"),
                "db-1", Map.of("region", "eu", "role", "db"),
                "cache-1", Map.of("region", "eu", "role", "cache", "gpu", "true"),
                "bare-1", Map.of());
        labels.forEach((host, l) -> {
            String id = Fixtures.newMachineId();
            credentials.put(host, Fixtures.enroll(enroll, id, host + "." + run));
            ids.put(host, id);
            Map<String, String> all = new HashMap<>(l);
            all.put("run", run);
            as(admin)
                    .body(all)
                    .patch("/api/v1/machines/" + id + "/labels")
                    .then()
                    .statusCode(200);
        });
    }

    @Test
    void shouldFilterByLabelSelector() {
        assertThat(hosts("run=" + run + ",role in (web,db)")).containsExactly("db-1", "web-1", "web-2");
        assertThat(hosts("run=" + run + ",region=eu,role!=cache")).containsExactly("db-1", "web-1");
        assertThat(hosts("run=" + run + ",role notin (web)")).containsExactly("bare-1", "cache-1", "db-1");
        assertThat(hosts("run=" + run + ",gpu")).containsExactly("cache-1");
        assertThat(hosts("run=" + run + ",!region")).containsExactly("bare-1");
        assertThat(hosts("run == " + run + " , region = us")).containsExactly("web-2");
    }

    @Test
    void shouldFilterByPresenceAndHostname() throws Exception {
        try (TestAgent agent = TestAgent.connect(vertx, base, credentials.get("web-2"))) {
            agent.send(TestAgent.hello(ids.get("web-2"), "web-2." + run, Map.of("run", run)));
            assertThat(agent.next(Duration.ofSeconds(10))).isInstanceOf(Welcome.class);
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() ->
                            assertThat(list("run=" + run, "presence", "online")).containsExactly("web-2"));
            assertThat(list("run=" + run, "presence", "offline")).hasSize(4);
        }
        assertThat(list("", "q", "WEB-1." + run)).containsExactly("web-1");
        assertThat(list("", "q", ids.get("db-1").substring(0, 10))).containsExactly("db-1");
        // LIKE wildcards in the search are literal characters, not patterns.
        assertThat(list("run=" + run, "q", "%")).isEmpty();
        assertThat(list("run=" + run, "q", "_")).isEmpty();
    }

    @Test
    void shouldPageThroughEveryMachineOnceInAStableOrder() {
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            var req = as(admin).queryParam("selector", "run=" + run).queryParam("limit", 2);
            if (cursor != null) {
                req.queryParam("cursor", cursor);
            }
            JsonPath page =
                    req.get("/api/v1/machines").then().statusCode(200).extract().jsonPath();
            List<String> items = page.getList("items.hostname");
            assertThat(items.size()).isLessThanOrEqualTo(2);
            seen.addAll(items);
            cursor = page.getString("nextCursor");
            pages++;
        } while (cursor != null);
        assertThat(pages).isEqualTo(3);
        assertThat(seen)
                .containsExactly("bare-1." + run, "cache-1." + run, "db-1." + run, "web-1." + run, "web-2." + run);
    }

    @Test
    void shouldSetAndRemoveLabels() {
        String id = ids.get("web-1");
        as(admin)
                .body("{\"tier\":\"gold\",\"region\":null}")
                .patch("/api/v1/machines/" + id + "/labels")
                .then()
                .statusCode(200)
                .body("labels.tier", is("gold"))
                .body("labels.region", org.hamcrest.Matchers.nullValue());
        as(admin)
                .delete("/api/v1/machines/" + id + "/labels/tier")
                .then()
                .statusCode(200)
                .body("labels.tier", org.hamcrest.Matchers.nullValue());
        as(admin)
                .body("{\"bad key\":\"x\"}")
                .patch("/api/v1/machines/" + id + "/labels")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("detail", containsString("invalid label key"));
        as(admin)
                .body("{\"ok\":\"no spaces allowed\"}")
                .patch("/api/v1/machines/" + id + "/labels")
                .then()
                .statusCode(400)
                .body("detail", containsString("invalid value"));
        JsonPath events = as(admin)
                .get("/api/v1/machines/" + id + "/events")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(events.getList("items.kind")).contains("labels", "enrolled");
    }

    @Test
    void shouldKeepLabelsFromTheAgentUnlessOverridden() throws Exception {
        String id = ids.get("bare-1");
        try (TestAgent agent = TestAgent.connect(vertx, base, credentials.get("bare-1"))) {
            agent.send(TestAgent.hello(id, "bare-1." + run, Map.of("rack", "r7")));
            assertThat(agent.next(Duration.ofSeconds(10))).isInstanceOf(Welcome.class);
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> as(admin)
                            .get("/api/v1/machines/" + id)
                            .then()
                            .body("labels.rack", is("r7"))
                            .body("labels.run", is(run))
                            .body("agentLabels.rack", is("r7")));
            as(admin)
                    .delete("/api/v1/machines/" + id + "/labels/rack")
                    .then()
                    .statusCode(409)
                    .body("detail", containsString("agent's configuration"));
            as(admin)
                    .body(Map.of("rack", "r8"))
                    .patch("/api/v1/machines/" + id + "/labels")
                    .then()
                    .statusCode(200)
                    .body("labels.rack", is("r8"));
        }
    }

    @Test
    void shouldRemoveAMachine() {
        String id = ids.get("db-1");
        as(admin).delete("/api/v1/machines/" + id).then().statusCode(204);
        as(admin).get("/api/v1/machines/" + id).then().statusCode(404).contentType("application/problem+json");
        as(admin).delete("/api/v1/machines/" + id).then().statusCode(404);
        assertThat(hosts("run=" + run + ",role=db")).isEmpty();
    }

    @Test
    void shouldAnswerNotFoundForUnknownOrMalformedIds() {
        as(admin)
                .get("/api/v1/machines/" + Fixtures.newMachineId())
                .then()
                .statusCode(404)
                .contentType("application/problem+json");
        as(admin)
                .get("/api/v1/machines/..%2F..%2Fetc%2Fpasswd")
                .then()
                .statusCode(404)
                .contentType("application/problem+json");
        as(admin).get("/api/v1/machines/' or '1'='1").then().statusCode(404).contentType("application/problem+json");
    }

    private List<String> hosts(String selector) {
        return list(selector, null, null);
    }

    private List<String> list(String selector, String param, String value) {
        var req = as(admin).queryParam("selector", selector).queryParam("limit", 500);
        if (param != null) {
            req.queryParam(param, value);
        }
        List<String> hostnames = req.get("/api/v1/machines")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("items.hostname");
        return hostnames.stream().map(h -> h.replace("." + run, "")).toList();
    }
}
