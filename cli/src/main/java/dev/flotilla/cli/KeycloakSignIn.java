package dev.flotilla.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A person's sign-in through Keycloak for the CLI: the OAuth 2.0 device authorization grant (RFC
 * 8628) with the realm's public CLI client, and the refresh of its access token. The endpoints are
 * Keycloak's, below the issuer (the realm's URL) that the service names in {@code GET
 * /api/v1/sign-in}.
 */
final class KeycloakSignIn {
    /** What a sign-in or a refresh gives: the access token, the refresh token and when the first expires. */
    record Tokens(String access, String refresh, Instant expiresAt) {}

    /** RFC 8628 §3.5: a client told to slow down adds five seconds to its interval. */
    static final Duration SLOW_DOWN = Duration.ofSeconds(5);

    private final String issuer;
    private final String clientId;
    private final HttpClient http;

    KeycloakSignIn(String issuer, String clientId, Path caFile) {
        this.issuer = issuer.replaceAll("/+$", "");
        this.clientId = clientId;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        if (caFile != null) {
            b.sslContext(Tls.trusting(caFile));
        }
        this.http = b.build();
    }

    /**
     * Asks Keycloak for a device code, tells the person where to approve it (on {@code err}), and
     * polls until they did, honouring the interval Keycloak asks for. Gives up, with a failure that
     * says why, when the person denies it, when the code expires, or after {@code timeout} (exit 4).
     */
    Tokens signIn(PrintWriter err, Duration timeout) {
        JsonNode device = post("/protocol/openid-connect/auth/device", Map.of("client_id", clientId));
        if (device.has("error")) {
            throw new Api.Failure(
                    401, "Keycloak refused the device sign-in of client " + clientId + ": " + explain(device));
        }
        String code = device.path("device_code").asText();
        String uri = device.path("verification_uri").asText();
        String complete = device.path("verification_uri_complete").asText(uri);
        err.println("To sign in, open " + complete + " (or " + uri + " and enter "
                + device.path("user_code").asText() + ")");
        err.println("Waiting for the sign-in...");
        err.flush();
        Duration interval =
                Duration.ofSeconds(Math.max(1, device.path("interval").asLong(5)));
        long started = System.nanoTime();
        Duration expires = Duration.ofSeconds(device.path("expires_in").asLong(600));
        boolean ours = timeout != null && timeout.compareTo(expires) < 0;
        Duration limit = ours ? timeout : expires;
        while (true) {
            Duration left = limit.minusNanos(System.nanoTime() - started);
            if (left.isNegative() || left.isZero()) {
                if (ours) {
                    throw Api.Failure.timedOut("the sign-in was not completed within --timeout " + timeout.toSeconds()
                            + " s; nothing saved");
                }
                throw new Api.Failure(401, "the sign-in code expired before it was approved; nothing saved");
            }
            sleep(interval.compareTo(left) < 0 ? interval : left);
            Instant asked = Instant.now();
            JsonNode answer = post(
                    "/protocol/openid-connect/token",
                    Map.of(
                            "grant_type", "urn:ietf:params:oauth:grant-type:device_code",
                            "device_code", code,
                            "client_id", clientId));
            switch (answer.path("error").asText("")) {
                case "" -> {
                    return tokens(answer, asked, null);
                }
                case "authorization_pending" -> {}
                case "slow_down" -> interval = interval.plus(SLOW_DOWN);
                case "expired_token" ->
                    throw new Api.Failure(
                            401, "the sign-in code expired before it was approved; run flotilla login again");
                case "access_denied" -> throw new Api.Failure(401, "the sign-in was denied; nothing saved");
                default -> throw new Api.Failure(401, "Keycloak refused the sign-in: " + explain(answer));
            }
        }
    }

    /**
     * A new access token for a refresh token (Keycloak may hand out a new refresh token too; if it
     * does not, the old one stays). A refused refresh (the session ended, was revoked, or the
     * refresh token expired) is a failure that asks for a new login.
     */
    Tokens refresh(String refreshToken, String context, String url) {
        Instant asked = Instant.now();
        JsonNode answer = post(
                "/protocol/openid-connect/token",
                Map.of("grant_type", "refresh_token", "refresh_token", refreshToken, "client_id", clientId));
        if (answer.has("error")) {
            throw new Api.Failure(
                    401,
                    "the sign-in of context " + context + " has ended (Keycloak: " + explain(answer)
                            + "): run flotilla login " + url + " again");
        }
        return tokens(answer, asked, refreshToken);
    }

    /** Revokes a refresh token (RFC 7009), which ends its Keycloak session; false when that could not be done. */
    boolean revoke(String refreshToken) {
        try {
            JsonNode answer = post(
                    "/protocol/openid-connect/revoke",
                    Map.of("token", refreshToken, "token_type_hint", "refresh_token", "client_id", clientId));
            return !answer.has("error");
        } catch (Api.Failure f) {
            return false;
        }
    }

    private static Tokens tokens(JsonNode answer, Instant asked, String oldRefresh) {
        String access = answer.path("access_token").asText(null);
        if (access == null) {
            throw new Api.Failure(401, "Keycloak answered without an access token");
        }
        return new Tokens(
                access,
                answer.path("refresh_token").asText(oldRefresh),
                asked.plusSeconds(answer.path("expires_in").asLong(60)));
    }

    private static String explain(JsonNode error) {
        String description = error.path("error_description").asText("");
        return error.path("error").asText("an error") + (description.isEmpty() ? "" : " (" + description + ")");
    }

    /** A form POST to the realm; Keycloak's OAuth errors (4xx with an {@code error}) come back as the JSON. */
    private JsonNode post(String path, Map<String, String> form) {
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        URI uri = URI.create(issuer + path);
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(uri)
                            .timeout(Duration.ofSeconds(30))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .header("Accept", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() < 300 && r.body().isBlank()) {
                return Api.JSON.createObjectNode(); // a revocation answers 200 without a body
            }
            JsonNode json;
            try {
                json = Api.JSON.readTree(r.body());
            } catch (IOException e) {
                json = null;
            }
            if (json != null && json.isObject() && (r.statusCode() < 300 || json.has("error"))) {
                return json;
            }
            throw new Api.Failure(0, "Keycloak at " + uri + " answered HTTP " + r.statusCode());
        } catch (IOException e) {
            throw new Api.Failure(0, "cannot reach Keycloak at " + uri + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Api.Failure(0, "interrupted");
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Api.Failure(0, "interrupted");
        }
    }
}
