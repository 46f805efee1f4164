package dev.flotilla.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

/**
 * The CLI's own file, {@code $XDG_CONFIG_HOME/flotilla/config} (else {@code ~/.config/flotilla/config}):
 * named contexts (a service, an organization, a token or a Keycloak sign-in, a CA file) and the
 * current one. It holds tokens, so it is written with mode 0600, whole or not at all.
 */
final class Config {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    /**
     * One context: where and as whom commands act. The credential is a pasted token (an API token),
     * or a person's Keycloak sign-in ({@code issuer} set): then {@code token} is its access token,
     * renewed with {@code refreshToken} when {@code tokenExpires} (an ISO-8601 instant) comes near.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Context(
            String name,
            String url,
            String org,
            String token,
            String caFile,
            String issuer,
            String clientId,
            String refreshToken,
            String tokenExpires) {
        /** With a pasted token. */
        static Context withToken(String name, String url, String org, String token, String caFile) {
            return new Context(name, url, org, token, caFile, null, null, null, null);
        }

        /** Signed in through Keycloak (device authorization grant), rather than with a pasted token. */
        boolean oidc() {
            return issuer != null;
        }

        /** {@code oidc} or {@code token}, for people reading {@code context list}; null when logged out. */
        String kind() {
            return token == null ? null : oidc() ? "oidc" : "token";
        }

        /** Without any credential (logout): the context stays, for the next login. */
        Context loggedOut() {
            return new Context(name, url, org, null, caFile, null, null, null, null);
        }

        /** Signed in through Keycloak at {@code issuer} with its client {@code clientId}. */
        Context signedIn(String newIssuer, String newClientId, KeycloakSignIn.Tokens tokens) {
            return new Context(
                    name,
                    url,
                    org,
                    tokens.access(),
                    caFile,
                    newIssuer,
                    newClientId,
                    tokens.refresh(),
                    tokens.expiresAt().toString());
        }
    }

    /** The file's content. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Contexts(@JsonProperty("current-context") String current, List<Context> contexts) {
        Contexts {
            contexts = contexts == null ? List.of() : List.copyOf(contexts);
        }

        Optional<Context> find(String name) {
            return contexts.stream().filter(c -> c.name().equals(name)).findFirst();
        }

        /** With {@code context} added, or put in the place of the one of its name. */
        Contexts with(Context context) {
            List<Context> all = new ArrayList<>(contexts);
            int at = all.indexOf(find(context.name()).orElse(null));
            if (at >= 0) {
                all.set(at, context);
            } else {
                all.add(context);
            }
            return new Contexts(current, all);
        }

        Contexts without(String name) {
            List<Context> all = new ArrayList<>(contexts);
            all.removeIf(c -> c.name().equals(name));
            return new Contexts(name.equals(current) ? null : current, all);
        }

        Contexts using(String name) {
            return new Contexts(name, contexts);
        }
    }

    final Path file;

    Config(Path file) {
        this.file = file;
    }

    /** The file the environment points to: XDG's rule, with {@code HOME} from the same environment. */
    static Config of(Map<String, String> env) {
        String xdg = env.get("XDG_CONFIG_HOME");
        Path base;
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            base = Path.of(xdg);
        } else {
            String home = env.getOrDefault("HOME", System.getProperty("user.home"));
            base = Path.of(home, ".config");
        }
        return new Config(base.resolve("flotilla").resolve("config"));
    }

    Contexts read() {
        if (!Files.isRegularFile(file)) {
            return new Contexts(null, List.of());
        }
        try {
            Contexts c = YAML.readValue(Files.readString(file, StandardCharsets.UTF_8), Contexts.class);
            return c == null ? new Contexts(null, List.of()) : c;
        } catch (IOException e) {
            throw Api.Failure.local("cannot read " + file + ": " + e.getMessage());
        }
    }

    /**
     * Writes a temporary file of mode 0600 beside the config and renames it over the old one, so a
     * reader sees the old file or the new one, never half of one, and the tokens are never readable
     * by others, not even for a moment.
     */
    void write(Contexts contexts) {
        try {
            Path dir = file.getParent();
            boolean posix =
                    FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
            if (!Files.isDirectory(dir)) {
                if (posix) {
                    Files.createDirectories(
                            dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } else {
                    Files.createDirectories(dir);
                }
            }
            Path tmp = posix
                    ? Files.createTempFile(
                            dir,
                            ".config",
                            ".tmp",
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                    : Files.createTempFile(dir, ".config", ".tmp");
            try {
                Files.writeString(tmp, YAML.writeValueAsString(contexts), StandardCharsets.UTF_8);
                try {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw Api.Failure.local("cannot write " + file + ": " + e.getMessage());
        }
    }
}
