package dev.flotilla.agent;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import dev.flotilla.api.protocol.Protocol;
import dev.flotilla.api.rest.EnrollmentRequest;
import dev.flotilla.api.rest.EnrollmentResponse;

/**
 * The machine's credential, kept in the state folder ({@code credential.json}, mode 0600). Obtained
 * once by enrolling with an enrollment token; never asked for again.
 */
public final class Credentials {
    // Lenient on what the service sends, so that a newer service can add fields.
    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    public record Stored(String machineId, String credential, String url) {}

    private Credentials() {}

    public static Optional<Stored> load(Path stateDir) throws IOException {
        Path file = stateDir.resolve("credential.json");
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            Stored stored = JSON.readValue(file.toFile(), Stored.class);
            if (stored == null || stored.credential() == null || stored.machineId() == null) {
                throw new IOException("incomplete");
            }
            return Optional.of(stored);
        } catch (IOException e) {
            // Written atomically, so only a damaged disk leaves it so; its secret cannot be recovered.
            throw new IllegalArgumentException(
                    file + " is damaged (" + e.getMessage().lines().findFirst().orElse("")
                            + "): remove the machine in Flotilla, delete this file and enroll again with a new token");
        }
    }

    public static Stored enroll(AgentSettings settings, String machineId, String hostname) throws IOException {
        return enroll(Tls.httpClient(settings), settings, machineId, hostname);
    }

    /** Enrolls over the given client (the load tests' simulated hosts share one). */
    public static Stored enroll(HttpClient http, AgentSettings settings, String machineId, String hostname)
            throws IOException {
        if (settings.enrollToken() == null) {
            throw new IllegalArgumentException(
                    "this machine is not enrolled yet: run flotilla-agent enroll --url URL"
                            + " --token TOKEN, or set FLOTILLA_ENROLL_TOKEN (enroll-token in the config file) for the first start");
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(settings.url() + Protocol.ENROLL_PATH))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        JSON.writeValueAsString(new EnrollmentRequest(settings.enrollToken(), machineId, hostname))))
                .build();
        HttpResponse<String> response;
        long deadline = System.nanoTime() + BUSY_FOR_AT_MOST.toNanos();
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            // Too many at once (429: many hosts behind one address enrolling together) or the service
            // busy (503): come back when it says, for up to ten minutes, rather than give up for good.
            while ((response.statusCode() == 429 || response.statusCode() == 503) && System.nanoTime() < deadline) {
                Thread.sleep(retryAfter(response).toMillis());
                response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while enrolling", e);
        }
        if (response.statusCode() == 429 || response.statusCode() == 503) {
            throw new IOException("the service stayed too busy to enroll this machine for "
                    + BUSY_FOR_AT_MOST.toMinutes() + " minutes (" + response.statusCode() + ")");
        }
        if (response.statusCode() != 201) {
            throw new EnrollmentRefused(response.statusCode(), detail(response.body()));
        }
        EnrollmentResponse enrolled = JSON.readValue(response.body(), EnrollmentResponse.class);
        Stored stored = new Stored(
                enrolled.machineId(), enrolled.credential(), settings.url().toString());
        save(settings.stateDir(), stored);
        return stored;
    }

    /** How long enrollment keeps coming back while the service says it is too busy. */
    static final Duration BUSY_FOR_AT_MOST = Duration.ofMinutes(10);

    /** The service's Retry-After (seconds, 1 to 60), with up to a second of jitter so hosts spread out. */
    static Duration retryAfter(HttpResponse<?> response) {
        long seconds = 5;
        try {
            seconds = Long.parseLong(
                    response.headers().firstValue("Retry-After").orElse("5").trim());
        } catch (NumberFormatException e) {
            // an HTTP date or garbage: the default
        }
        seconds = Math.max(1, Math.min(60, seconds));
        return Duration.ofSeconds(seconds)
                .plusMillis(java.util.concurrent.ThreadLocalRandom.current().nextLong(1000));
    }

    /** Replaces the kept credential atomically (a new one issued by the service). */
    static void store(Path stateDir, Stored stored) throws IOException {
        save(stateDir, stored);
    }

    private static void save(Path stateDir, Stored stored) throws IOException {
        if (!Files.isDirectory(stateDir)) {
            // Only root reads what the agent keeps (as systemd's StateDirectoryMode=0700 makes it).
            Files.createDirectories(
                    stateDir,
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                            java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        }
        AtomicFiles.write(stateDir.resolve("credential.json"), JSON.writeValueAsBytes(stored));
    }

    private static String detail(String body) {
        try {
            var node = JSON.readTree(body);
            return node.hasNonNull("detail") ? node.get("detail").asText() : body;
        } catch (IOException e) {
            return body == null ? "" : body.substring(0, Math.min(200, body.length()));
        }
    }

    /** The service said no: a wrong, expired, used-up or revoked token, or a duplicate machine. */
    public static final class EnrollmentRefused extends IOException {
        public final int status;

        EnrollmentRefused(int status, String detail) {
            super("enrollment refused (" + status + "): " + detail);
            this.status = status;
        }
    }
}
