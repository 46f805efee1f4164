package dev.flotilla.service.enroll;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

import dev.flotilla.api.rest.InstallCommand;

/**
 * The one place the agent's install commands are written, for every way it installs, with the
 * service's URL and an enrollment token filled in: the REST API hands them out with each new token
 * ({@code POST /api/v1/enrollment-tokens}), the CLI prints them ({@code flotilla install-agent}),
 * the dashboard shows them. The Butane configs are deploy/agent/flatcar.bu and fcos.bu themselves
 * (copied into the service at build time), their placeholders replaced.
 */
public final class InstallCommands {
    /** The ways, in the order they are shown. */
    public static final List<String> WAYS = List.of("deb", "rpm", "fcos", "flatcar", "container", "jar");

    static final String URL_PLACEHOLDER = "https://fleet.example.com";
    static final String TOKEN_PLACEHOLDER = "fle_REPLACE_WITH_AN_ENROLLMENT_TOKEN";
    static final String IMAGE_PLACEHOLDER = "registry.example.com/flotilla/flotilla-agent:0.1.0";

    // What may stand in a command unquoted and in an environment file: no blanks, quotes or newlines.
    private static final Pattern SAFE_URL = Pattern.compile("https?://[A-Za-z0-9.\\[\\]:_-]+(/[A-Za-z0-9._~/-]*)?");
    private static final Pattern SAFE_WORD = Pattern.compile("[A-Za-z0-9._~/:@+-]+");

    private final String flatcar;
    private final String fcos;

    InstallCommands(String flatcarButane, String fcosButane) {
        this.flatcar = flatcarButane;
        this.fcos = fcosButane;
    }

    /** With the Butane configs the build copied from deploy/agent. */
    public static InstallCommands fromClasspath() {
        return new InstallCommands(resource("agent-install/flatcar.bu"), resource("agent-install/fcos.bu"));
    }

    /**
     * Every way, filled in.
     *
     * @param url the service as hosts reach it
     * @param token an enrollment token's secret
     * @param version the agent's version (of the package files' names)
     * @param image the agent's image as hosts pull it
     * @param downloads the folder URL the packages are downloaded from
     * @throws IllegalArgumentException when a value could break out of a command or a file
     */
    public List<InstallCommand> all(String url, String token, String version, String image, String downloads) {
        String u = url.replaceAll("/+$", "");
        String d = downloads.replaceAll("/+$", "");
        check(SAFE_URL, u, "the service URL");
        check(SAFE_URL, d, "the downloads URL");
        check(SAFE_WORD, token, "the token");
        check(SAFE_WORD, version, "the version");
        check(SAFE_WORD, image, "the image");
        String deb = "flotilla-agent_" + version + "-1_amd64.deb";
        String rpm = "flotilla-agent-" + version + "-1.x86_64.rpm";
        String enroll = "sudo flotilla-agent enroll --url " + u + " --token " + token + "\n"
                + "sudo systemctl start flotilla-agent\n";
        return List.of(
                new InstallCommand(
                        "deb",
                        "Debian, Ubuntu: the .deb package (its own Java runtime)",
                        "curl -fLO " + d + "/" + deb + "\n" + "sudo dpkg -i " + deb + "\n" + enroll),
                new InstallCommand(
                        "rpm",
                        "RHEL, Fedora, Rocky, Alma: the .rpm package (its own Java runtime)",
                        "curl -fLO " + d + "/" + rpm + "\n" + "sudo rpm -i " + rpm + "\n" + enroll),
                new InstallCommand(
                        "fcos",
                        "Fedora CoreOS: a Butane config to provision with (butane --strict fcos.bu > fcos.ign)",
                        fill(fcos, u, token, image)),
                new InstallCommand(
                        "flatcar",
                        "Flatcar Container Linux: a Butane config to provision with (butane --strict flatcar.bu > flatcar.ign)",
                        fill(flatcar, u, token, image)),
                new InstallCommand(
                        "container",
                        "A running Fedora CoreOS host, by hand (on Flatcar: FLOTILLA_ENGINE=docker,"
                                + " FLOTILLA_CONTAINER_SOCKET=/var/run/docker.sock, docker.socket)",
                        "sudo install -d -m 0700 /etc/flotilla\n"
                                + "sudo install -m 0600 /dev/null /etc/flotilla/agent.env\n"
                                + "sudo tee /etc/flotilla/agent.env >/dev/null <<'EOF'\n"
                                + "FLOTILLA_URL=" + u + "\n"
                                + "FLOTILLA_ENROLL_TOKEN=" + token + "\n"
                                + "FLOTILLA_AGENT_IMAGE=" + image + "\n"
                                + "FLOTILLA_ENGINE=podman\n"
                                + "FLOTILLA_CONTAINER_SOCKET=/run/podman/podman.sock\n"
                                + "EOF\n"
                                + "sudo curl -fLo /etc/systemd/system/flotilla-agent-container.service " + d
                                + "/flotilla-agent-container.service\n"
                                + "sudo systemctl daemon-reload\n"
                                + "sudo systemctl enable --now podman.socket flotilla-agent-container.service\n"),
                new InstallCommand(
                        "jar",
                        "Any Linux host with Java 17+: the plain jar, in the foreground",
                        "curl -fLO " + d + "/flotilla-agent.jar\n" + "sudo FLOTILLA_URL=" + u
                                + " FLOTILLA_ENROLL_TOKEN=" + token + " java -jar flotilla-agent.jar\n"));
    }

    private static String fill(String butane, String url, String token, String image) {
        return butane.replace(URL_PLACEHOLDER, url)
                .replace(TOKEN_PLACEHOLDER, token)
                .replace(IMAGE_PLACEHOLDER, image)
                .replace(
                        "# Fill in the three values marked below (the dashboard's \"Add machines\" page and\n",
                        "# Filled in by Flotilla for one enrollment token (the dashboard's \"Add machines\" page and\n");
    }

    private static void check(Pattern p, String value, String what) {
        if (value == null || !p.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " cannot be put in an install command: " + value);
        }
    }

    private static String resource(String name) {
        try (InputStream in = InstallCommands.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(
                        name + " is not on the class path (copied from deploy/agent by the build)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
