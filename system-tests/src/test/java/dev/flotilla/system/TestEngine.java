package dev.flotilla.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.hc.client5.http.classic.methods.HttpDelete;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The tests' own Docker-compatible engine (Podman's API service, started by
 * deploy/ci/container-engine.sh), driven through the Docker Engine API as a user would.
 */
final class TestEngine implements AutoCloseable {
    static final String IMAGE = "flotilla-test/busybox:latest";
    private static final String SCRIPT =
            Project.ROOT.resolve("deploy/ci/container-engine.sh").toString();
    private static final ObjectMapper JSON = new ObjectMapper();

    final Path socket;
    private final CloseableHttpClient http;

    private TestEngine(Path socket) {
        this.socket = socket;
        this.http = HttpClients.custom()
                .setDefaultRequestConfig(
                        RequestConfig.custom().setUnixDomainSocket(socket).build())
                .build();
    }

    /** Starts the engine if it is not running and returns a client for it. */
    static TestEngine start() throws Exception {
        Process p = new ProcessBuilder(SCRIPT, "start")
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("container-engine.sh start failed: " + out);
        }
        return new TestEngine(Path.of(out));
    }

    /** The folder holding the engine's socket, to mount into a host at /run/podman. */
    Path directory() {
        return socket.getParent();
    }

    /** Creates a container that sleeps, with labels; returns its id. */
    String create(String name, Map<String, String> labels) throws IOException {
        String body = JSON.writeValueAsString(Map.of(
                "Image",
                IMAGE,
                "Cmd",
                List.of("/bin/sleep", "3600"),
                "Labels",
                labels,
                "HostConfig",
                Map.of(
                        "NetworkMode",
                        "none",
                        // crun may not raise the limits on these machines (ENVIRONMENT.md)
                        "Ulimits",
                        List.of(
                                Map.of("Name", "nofile", "Soft", 1024, "Hard", 1024),
                                Map.of("Name", "nproc", "Soft", 4096, "Hard", 4096)))));
        HttpPost post = new HttpPost("http://localhost/v1.41/containers/create?name=" + name);
        post.setEntity(new StringEntity(body, ContentType.APPLICATION_JSON));
        return call(post, 201).path("Id").asText();
    }

    void start(String id) throws IOException {
        call(new HttpPost("http://localhost/v1.41/containers/" + id + "/start"), 204);
    }

    void stop(String id) throws IOException {
        call(new HttpPost("http://localhost/v1.41/containers/" + id + "/stop?t=1"), 204);
    }

    void remove(String id) throws IOException {
        call(new HttpDelete("http://localhost/v1.41/containers/" + id + "?force=true"), 204);
    }

    private JsonNode call(HttpUriRequestBase request, int expected) throws IOException {
        return http.execute(request, r -> {
            String text = r.getEntity() == null ? "" : EntityUtils.toString(r.getEntity());
            if (r.getCode() != expected && !(expected == 204 && r.getCode() == 304)) {
                throw new IOException(
                        request.getMethod() + " " + request.getRequestUri() + ": HTTP " + r.getCode() + " " + text);
            }
            return text.isEmpty() ? JSON.nullNode() : JSON.readTree(text);
        });
    }

    /** Stops the engine (its storage and image stay cached for the next run). */
    @Override
    public void close() throws Exception {
        http.close();
        new ProcessBuilder(SCRIPT, "stop").inheritIO().start().waitFor(30, TimeUnit.SECONDS);
    }
}
