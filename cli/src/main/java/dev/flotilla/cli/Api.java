package dev.flotilla.cli;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The REST API of one Flotilla service, with one token, in one organization when {@code org} is
 * given (sent as the {@code Flotilla-Org} header).
 */
final class Api {
    static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final String token;
    private final String org;
    private final HttpClient http;

    /** An answer that is not a success: its status and the service's explanation. */
    static final class Failure extends RuntimeException {
        final int status;

        Failure(int status, String message) {
            super(message);
            this.status = status;
        }

        /** A failure on this side (a file that cannot be read, say): exit code 1, as a refusal. */
        static Failure local(String message) {
            return new Failure(-1, message);
        }

        static final int TIMED_OUT = -4;

        /** Waited as long as asked ({@code --timeout}): exit code 4. */
        static Failure timedOut(String message) {
            return new Failure(TIMED_OUT, message);
        }
    }

    Api(String url, String token) {
        this(url, token, null, null);
    }

    Api(String url, String token, String org, Path caFile) {
        this(url, token, org, caFile, true);
    }

    /** The service without a credential, for what anyone may ask (how people sign in). */
    static Api anonymous(String url, Path caFile) {
        return new Api(url, null, null, caFile, false);
    }

    private Api(String url, String token, String org, Path caFile, boolean needsToken) {
        if (url == null || url.isBlank()) {
            throw new Failure(
                    0,
                    "no service: run flotilla login URL, or set FLOTILLA_URL or --url (./flotilla up writes it to"
                            + " .flotilla/up.env)");
        }
        if (needsToken && (token == null || token.isBlank())) {
            throw new Failure(0, "no API token: run flotilla login, or set FLOTILLA_TOKEN or --token");
        }
        this.base = URI.create(url.replaceAll("/+$", ""));
        if (base.getScheme() == null || !base.getScheme().matches("https?") || base.getHost() == null) {
            throw Failure.local("'" + url + "' is not an http:// or https:// URL");
        }
        this.token = token;
        this.org = org == null || org.isBlank() ? null : org;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        if (caFile != null) {
            b.sslContext(Tls.trusting(caFile));
        }
        this.http = b.build();
    }

    /** The service's address, as given (without trailing slashes). */
    String url() {
        return base.toString();
    }

    JsonNode get(String path) {
        return send("GET", path, null);
    }

    JsonNode put(String path, Object body) {
        return send("PUT", path, body);
    }

    JsonNode patch(String path, Object body) {
        return send("PATCH", path, body);
    }

    JsonNode post(String path) {
        return send("POST", path, null);
    }

    JsonNode post(String path, Object body) {
        return send("POST", path, body);
    }

    JsonNode delete(String path) {
        return send("DELETE", path, null);
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private JsonNode send(String method, String path, Object body) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                    .timeout(Duration.ofSeconds(60))
                    .header("Accept", "application/json");
            if (token != null) {
                b.header("Authorization", "Bearer " + token);
            }
            if (org != null) {
                b.header("Flotilla-Org", org);
            }
            if (body == null) {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                b.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            }
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = r.body() == null || r.body().isBlank() ? JSON.nullNode() : parse(r.body());
            if (r.statusCode() >= 400) {
                String detail = json.path("detail").asText(json.path("title").asText(""));
                throw new Failure(r.statusCode(), "HTTP " + r.statusCode() + (detail.isEmpty() ? "" : ": " + detail));
            }
            return json;
        } catch (IOException e) {
            throw new Failure(0, "cannot reach " + base + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure(0, "interrupted");
        }
    }

    private static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            return JSON.getNodeFactory().textNode(text);
        }
    }
}
