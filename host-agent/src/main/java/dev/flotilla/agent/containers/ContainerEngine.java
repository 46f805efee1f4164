package dev.flotilla.agent.containers;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.flotilla.api.protocol.ContainerState;

/**
 * The Docker Engine API on a unix socket, as Docker and Podman's compatible service serve it:
 * listing, inspecting, and the {@code /events} stream. Read-only: the agent never creates, starts
 * or stops a container through it.
 */
public final class ContainerEngine implements Closeable {
    /** Docker 20.10's API version, which Podman's compatible API also speaks. */
    static final String API = "/v1.41";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 8 << 20;

    private final Path socket;
    private final CloseableHttpClient http;

    public ContainerEngine(Path socket) {
        this.socket = socket;
        this.http = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(Timeout.ofSeconds(5))
                                .setSocketTimeout(Timeout.ofSeconds(30))
                                .build())
                        .setMaxConnTotal(2)
                        .setMaxConnPerRoute(2)
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setUnixDomainSocket(socket)
                        .setResponseTimeout(Timeout.ofSeconds(30))
                        .build())
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableCookieManagement()
                .build();
    }

    public Path socket() {
        return socket;
    }

    /** The engine's name and version, e.g. {@code Podman Engine 5.4.2}; throws if none answers. */
    public String version() throws IOException {
        JsonNode v = get(API + "/version").orElseThrow(() -> new IOException("no /version"));
        String name = v.path("Components").path(0).path("Name").asText("Docker Engine");
        return name + " " + v.path("Version").asText("?");
    }

    /** Every container, running or not. */
    public List<ContainerState> list() throws IOException {
        JsonNode all = get(API + "/containers/json?all=true").orElseThrow(() -> new IOException("no container list"));
        List<ContainerState> out = new ArrayList<>();
        for (JsonNode c : all) {
            inspect(c.path("Id").asText()).ifPresent(out::add);
        }
        return out;
    }

    /** One container, or empty when the engine no longer has it. */
    public Optional<ContainerState> inspect(String id) throws IOException {
        if (!id.matches("[0-9a-f]{12,64}")) {
            return Optional.empty();
        }
        Optional<JsonNode> found = get(API + "/containers/" + id + "/json");
        if (found.isEmpty()) {
            return Optional.empty();
        }
        JsonNode c = found.get();
        // Only the list carries the engine's human-readable status ("Up 5 minutes").
        String filter = URLEncoder.encode("{\"id\":[\"" + id + "\"]}", StandardCharsets.UTF_8);
        String status = get(API + "/containers/json?all=true&filters=" + filter)
                .map(list -> list.path(0).path("Status").asText(null))
                .orElse(null);
        JsonNode state = c.path("State");
        String health = state.path("Health").path("Status").asText("");
        return Optional.of(new ContainerState(
                c.path("Id").asText(),
                c.path("Name").asText("").replaceFirst("^/", ""),
                c.path("Config").path("Image").asText(c.path("Image").asText("")),
                state.path("Status").asText("unknown"),
                status,
                health.isEmpty() || health.equals("none") ? null : health,
                time(c.path("Created").asText(null)),
                time(state.path("StartedAt").asText(null)),
                labels(c.path("Config").path("Labels"))));
    }

    /**
     * Opens the engine's container event stream. Each event names the container it is about; the
     * caller reads events until the stream ends (the engine stopped) or it closes it.
     */
    public Events events() throws IOException {
        String filter = URLEncoder.encode("{\"type\":[\"container\"]}", StandardCharsets.UTF_8);
        HttpGet get = new HttpGet("http://localhost" + API + "/events?filters=" + filter);
        get.setConfig(RequestConfig.custom()
                .setUnixDomainSocket(socket)
                .setResponseTimeout(Timeout.DISABLED)
                .build());
        // executeOpen leaves the response open while the events are read.
        ClassicHttpResponse response = http.executeOpen(null, get, null);
        if (response.getCode() != 200) {
            response.close();
            throw new IOException("the engine refused the event stream: HTTP " + response.getCode());
        }
        return new Events(get, response);
    }

    /**
     * A container event: the container's id, what happened ({@code start}, {@code die}...), and
     * the name and image the engine attaches to it.
     */
    public record Event(String id, String action, String name, String image, String health) {
        /**
         * The state this event puts the container in, as Docker and Podman name their actions;
         * null when it says nothing of the state ({@code kill}, {@code stop} and {@code restart}
         * are followed by {@code die} and {@code start}, which do).
         */
        public String state() {
            return switch (action) {
                case "create" -> "created";
                case "start", "unpause" -> "running";
                case "pause" -> "paused";
                case "die" -> "exited";
                case "destroy", "remove" -> "removed";
                default -> null;
            };
        }
    }

    /** The open event stream. */
    public static final class Events implements Closeable, Iterator<Event> {
        private final HttpGet request;
        private final ClassicHttpResponse response;
        private final InputStream in;
        private Iterator<JsonNode> nodes;

        Events(HttpGet request, ClassicHttpResponse response) throws IOException {
            this.request = request;
            this.response = response;
            this.in = response.getEntity().getContent();
        }

        /** Blocks until the engine sends an event, or the stream ends. */
        @Override
        public boolean hasNext() {
            if (nodes == null) {
                // Made here, not in the constructor: Jackson reads the first token at once, and an
                // engine sends nothing on this stream until something happens.
                try {
                    nodes = JSON.readerFor(JsonNode.class).readValues(in);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            return nodes.hasNext();
        }

        @Override
        public Event next() {
            return event(nodes.next());
        }

        /** Drops the connection: closing the response would read the endless stream to its end. */
        @Override
        public void close() throws IOException {
            request.cancel();
            try {
                response.close();
            } catch (IOException e) {
                // the connection is gone already, as wanted
            }
        }
    }

    @Override
    public void close() throws IOException {
        http.close(CloseMode.IMMEDIATE);
    }

    /** One event of the stream, as Docker or Podman writes it. */
    static Event event(JsonNode e) {
        JsonNode attributes = e.path("Actor").path("Attributes");
        String id = e.path("Actor").path("ID").asText(e.path("id").asText(""));
        String action = e.path("Action").asText(e.path("status").asText(""));
        // Docker says "health_status: healthy"; Podman says "health_status" with an attribute.
        String health = null;
        if (action.startsWith("health_status")) {
            health = action.contains(": ")
                    ? action.substring(action.indexOf(": ") + 2).strip()
                    : attributes.path("health_status").asText(null);
            action = "health_status";
        }
        return new Event(
                id,
                action,
                attributes.path("name").asText(null),
                attributes.path("image").asText(null),
                health);
    }

    private Optional<JsonNode> get(String path) throws IOException {
        HttpGet get = new HttpGet("http://localhost" + path);
        return http.execute(get, (ClassicHttpResponse r) -> {
            if (r.getCode() == 404) {
                EntityUtils.consume(r.getEntity());
                return Optional.empty();
            }
            if (r.getCode() != 200) {
                EntityUtils.consume(r.getEntity());
                throw new IOException("the engine answered HTTP " + r.getCode() + " to GET " + path);
            }
            byte[] body = EntityUtils.toByteArray(r.getEntity(), MAX_BODY);
            return Optional.of(JSON.readTree(body));
        });
    }

    private static Map<String, String> labels(JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    /** The engine's RFC 3339 times; its zero time ({@code 0001-01-01...}) means never. */
    static Instant time(String text) {
        if (text == null || text.isEmpty() || text.startsWith("0001-01-01")) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
