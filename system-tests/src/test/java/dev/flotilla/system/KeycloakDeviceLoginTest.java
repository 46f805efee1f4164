package dev.flotilla.system;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code flotilla login} against a service that signs people in through a real Keycloak (the
 * distribution from Maven Central, the realm of deploy/keycloak/): the packaged CLI, run as a
 * process with a config folder of its own, asks the service how people sign in, starts the device
 * authorization grant and prints where to approve it; a person approves it in headless Chromium
 * (the real browser the dashboard tests drive, so Keycloak's own login page and device pages are
 * what is exercised, not a form-following imitation of them). Then the saved context works, --org
 * selects the organization (one the person is not in is refused by the service), an expired access
 * token is renewed with the refresh token and the new one saved, a refused refresh asks for a new
 * login, logout ends the Keycloak session, and a device the person denies, or a device code that
 * expires, gives exit 1.
 */
@org.junit.jupiter.api.extension.ExtendWith(KeycloakEnvironment.Shared.class)
class KeycloakDeviceLoginTest {
    private static final Path SHOTS = Project.ROOT.resolve("system-tests/target/screenshots");
    private static final Pattern APPROVE = Pattern.compile("To sign in, open (\\S+) \\(or (\\S+) and enter (\\S+)\\)");

    private KeycloakServer keycloak;
    private String adminSecret;
    private RunningService service;
    private WebDriver browser;
    private Path xdg;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start(KeycloakEnvironment env) throws Exception {
        keycloak = env.keycloak;
        adminSecret = env.adminSecret;
        service = env.service;
        xdg = Files.createTempDirectory(service.work, "xdg");
        Files.createDirectories(SHOTS);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void shouldSignInWithTheDeviceGrantAndRenewTheAccessToken() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 6);
        String user = "dora-" + tag;
        String password = "dora's long password " + tag;
        createUser(user, password);

        // The service says how people sign in, to anyone
        JsonNode signIn = Project.get(service.url + "/api/v1/sign-in", null).body();
        assertThat(signIn.get("mode").asText()).isEqualTo("oidc");
        assertThat(signIn.get("issuer").asText()).isEqualTo(keycloak.url + "/realms/flotilla");
        assertThat(signIn.get("cliClientId").asText()).isEqualTo("flotilla-cli");

        // login prints where to approve, and waits; the person approves in a browser
        Process login = start("login", service.url, "--name", "kc");
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        CompletableFuture<String> err = collect(login, lines);
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(login.getInputStream()));
        Matcher approve = awaitLine(lines, APPROVE, login);
        assertThat(approve.group(1)).startsWith(keycloak.url + "/realms/flotilla/device");
        assertThat(approve.group(1)).contains("user_code=" + approve.group(3));
        browser = Chromium.start(Chromium.options(Files.createDirectories(service.work.resolve("chromium"))));
        browser.get(approve.group(1));
        WebElement name = waitFor(browser, By.id("username"));
        shot(browser, "device-login");
        name.sendKeys(user);
        WebElement secret = browser.findElement(By.id("password"));
        secret.sendKeys(password);
        secret.submit();
        // Keycloak always asks the person to grant a device its access (the consent page)
        WebElement grant = waitFor(browser, By.name("accept"));
        shot(browser, "device-consent");
        grant.click();
        assertThat(login.waitFor(60, TimeUnit.SECONDS))
                .as("login ends once approved")
                .isTrue();
        shot(browser, "device-approved");
        assertThat(login.exitValue()).as(err.get() + out.get()).isZero();
        assertThat(err.get()).contains("Signed in to " + service.url + " through Keycloak as " + user);

        // The context: mode 0600, an oidc one, no password in it
        Path config = xdg.resolve("flotilla/config");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config)))
                .isEqualTo("rw-------");
        String saved = Files.readString(config);
        assertThat(saved)
                .contains("issuer: " + keycloak.url + "/realms/flotilla")
                .contains("clientId: flotilla-cli")
                .contains("refreshToken: ")
                .contains("tokenExpires: ")
                .doesNotContain(password);
        Run listed = cli("-o", "json", "context", "list");
        assertThat(listed.code()).as(listed.err()).isZero();
        JsonNode contexts = Project.JSON.readTree(listed.out());
        assertThat(contexts.get(0).get("kind").asText()).isEqualTo("oidc");
        assertThat(listed.out()).doesNotContain(field(saved, "token"), field(saved, "refreshToken"));

        // The person creates two organizations with the token login saved, and a machine in the second
        String access = field(saved, "token");
        for (String slug : List.of("first-" + tag, "second-" + tag)) {
            Project.Reply made = Project.post(
                    service.url + "/api/v1/orgs", access, "{\"slug\":\"" + slug + "\",\"name\":\"" + slug + "\"}");
            assertThat(made.status()).as(String.valueOf(made.body())).isEqualTo(201);
        }
        HttpResponse<String> enrollment = http.send(
                HttpRequest.newBuilder(URI.create(service.url + "/api/v1/enrollment-tokens"))
                        .header("Authorization", "Bearer " + access)
                        .header("Flotilla-Org", "second-" + tag)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"it\",\"maxUses\":1}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(enrollment.statusCode()).as(enrollment.body()).isEqualTo(201);
        String machineId = ("d1" + Long.toHexString(System.nanoTime()) + "0".repeat(32)).substring(0, 32);
        Project.Reply enrolled = Project.post(
                service.url + "/agent/v1/enroll",
                null,
                Project.JSON.writeValueAsString(Map.of(
                        "token",
                        Project.JSON.readTree(enrollment.body()).get("secret").asText(),
                        "machineId",
                        machineId,
                        "hostname",
                        "host-of-second-" + tag)));
        assertThat(enrolled.status()).as(String.valueOf(enrolled.body())).isEqualTo(201);

        // Commands work with the context; --org really selects the organization
        Run machines = cli("list-machines", "-o", "json");
        assertThat(machines.code()).as(machines.err()).isZero();
        assertThat(Project.JSON.readTree(machines.out()).isArray()).isTrue();
        assertThat(machines.out()).as("the oldest membership: the first").doesNotContain("host-of-second-" + tag);
        Run second = cli("list-machines", "-o", "json", "--org", "second-" + tag);
        assertThat(second.code()).as(second.err()).isZero();
        assertThat(second.out()).contains("host-of-second-" + tag);
        String otherOrg = Project.get(service.url + "/api/v1/orgs", service.token)
                .body()
                .get(0)
                .get("slug")
                .asText();
        Run foreign = cli("list-machines", "--org", otherOrg);
        assertThat(foreign.code()).as("an organization the person is not in").isEqualTo(1);
        assertThat(foreign.err()).contains("HTTP 403");

        // An expired access token is renewed with the refresh token before the command, and saved
        Files.writeString(
                config,
                saved.replaceFirst(
                        "tokenExpires: \\S+", "tokenExpires: " + Instant.now().minusSeconds(60)));
        Run renewed = cli("list-machines", "-o", "json", "--org", "second-" + tag);
        assertThat(renewed.code()).as(renewed.err()).isZero();
        assertThat(renewed.out()).contains("host-of-second-" + tag);
        String after = Files.readString(config);
        assertThat(field(after, "token")).isNotEqualTo(access);
        assertThat(Instant.parse(field(after, "tokenExpires")))
                .isAfter(Instant.now().plusSeconds(60));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config)))
                .isEqualTo("rw-------");
        // ... and a token that is still good is used as it is
        assertThat(cli("list-machines").code()).isZero();
        assertThat(field(Files.readString(config), "token")).isEqualTo(field(after, "token"));

        // A refused refresh asks for a new login
        Files.writeString(
                config,
                after.replaceFirst(
                                "tokenExpires: \\S+",
                                "tokenExpires: " + Instant.now().minusSeconds(60))
                        .replaceFirst("refreshToken: \\S+", "refreshToken: not-a-refresh-token"));
        Run refused = cli("list-machines");
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).contains("run flotilla login " + service.url + " again");
        Files.writeString(config, after);

        // logout forgets the tokens and ends the Keycloak session: the old refresh token is dead
        String refresh = field(after, "refreshToken");
        Run logout = cli("logout");
        assertThat(logout.code()).as(logout.err()).isZero();
        assertThat(logout.err()).contains("its Keycloak sign-in has ended");
        assertThat(Files.readString(config)).doesNotContain(refresh).doesNotContain("refreshToken");
        HttpResponse<String> dead = tokenEndpoint("grant_type=refresh_token&client_id=flotilla-cli&refresh_token="
                + URLEncoder.encode(refresh, StandardCharsets.UTF_8));
        assertThat(dead.statusCode()).as(dead.body()).isEqualTo(400);

        // The person denies the device on the consent page: exit 1
        Process denied = start("login", service.url, "--name", "denied");
        LinkedBlockingQueue<String> deniedLines = new LinkedBlockingQueue<>();
        CompletableFuture<String> deniedErr = collect(denied, deniedLines);
        browser.get(awaitLine(deniedLines, APPROVE, denied).group(1));
        WebElement next = waitFor(browser, By.cssSelector("#username, [name=cancel]"));
        if ("username".equals(next.getAttribute("id"))) {
            // a device sign-in does not reuse the browser's Keycloak session: the person signs in again
            next.sendKeys(user);
            WebElement again = browser.findElement(By.id("password"));
            again.sendKeys(password);
            again.submit();
        }
        WebElement no = waitFor(browser, By.name("cancel"));
        shot(browser, "device-deny");
        no.click();
        assertThat(denied.waitFor(60, TimeUnit.SECONDS))
                .as("login ends once denied")
                .isTrue();
        assertThat(denied.exitValue()).as(deniedErr.get()).isEqualTo(1);
        assertThat(deniedErr.get()).contains("the sign-in was denied; nothing saved");

        // Nobody approves: the CLI's own --timeout gives exit 4, an expired device code exit 1
        Run waited = cli("login", service.url, "--name", "never", "--timeout", "2");
        assertThat(waited.code()).as(waited.err()).isEqualTo(4);
        assertThat(waited.err()).contains("To sign in, open").contains("not completed within --timeout 2 s");
        setClientAttribute("flotilla-cli", "oauth2.device.code.lifespan", "3");
        Run expired = cli("login", service.url, "--name", "never");
        assertThat(expired.code()).as(expired.err()).isEqualTo(1);
        assertThat(expired.err()).contains("the sign-in code expired before it was approved");
        assertThat(Files.readString(config)).doesNotContain("name: never").doesNotContain("name: denied");
    }

    record Run(int code, String out, String err) {}

    /** The packaged CLI with this test's config folder and nothing of the service's bootstrap token. */
    private Process start(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                "java",
                "-jar",
                Project.ROOT.resolve("cli/target/flotilla-cli.jar").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(Project.ROOT.toFile());
        List.of("FLOTILLA_URL", "FLOTILLA_TOKEN", "FLOTILLA_ORG", "FLOTILLA_CONTEXT", "FLOTILLA_CA_FILE")
                .forEach(pb.environment()::remove);
        pb.environment().put("XDG_CONFIG_HOME", xdg.toString());
        Process p = pb.start();
        p.getOutputStream().close();
        return p;
    }

    private Run cli(String... args) throws Exception {
        Process p = start(args);
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        String out = read(p.getInputStream());
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(List.of(args) + " did not finish in 60 s");
        }
        return new Run(p.exitValue(), out, err.get());
    }

    /** Standard error line by line into {@code lines} while the process runs, and whole at its end. */
    private static CompletableFuture<String> collect(Process p, LinkedBlockingQueue<String> lines) {
        return CompletableFuture.supplyAsync(() -> {
            StringBuilder all = new StringBuilder();
            try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                    all.append(line).append('\n');
                }
            } catch (IOException e) {
                all.append(e);
            }
            return all.toString();
        });
    }

    private static Matcher awaitLine(LinkedBlockingQueue<String> lines, Pattern pattern, Process p)
            throws InterruptedException {
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(1, TimeUnit.SECONDS);
            if (line == null) {
                assertThat(p.isAlive() || !lines.isEmpty())
                        .as("login still running; said: " + seen)
                        .isTrue();
                continue;
            }
            seen.add(line);
            Matcher m = pattern.matcher(line);
            if (m.matches()) {
                return m;
            }
        }
        throw new AssertionError("no line like " + pattern + " in " + seen);
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** A top-level field of the (only) context in the config file's YAML. */
    private static String field(String yaml, String name) {
        Matcher m = Pattern.compile("(?m)^\\s*-?\\s*" + name + ": (\\S+)$").matcher(yaml);
        assertThat(m.find())
                .as(name + " in " + yaml.replaceAll("(token|refreshToken): \\S+", "$1: ..."))
                .isTrue();
        return m.group(1);
    }

    /** A person of the realm with a password, made as an administrator would (the admin API). */
    private void createUser(String username, String password) throws Exception {
        ObjectNode user = Project.JSON
                .createObjectNode()
                .put("username", username)
                .put("email", username + "@example.com")
                .put("emailVerified", true)
                .put("firstName", "Dora")
                .put("lastName", "Example")
                .put("enabled", true);
        user.putArray("credentials")
                .addObject()
                .put("type", "password")
                .put("value", password)
                .put("temporary", false);
        HttpResponse<String> r = http.send(
                admin("/users")
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(user.toString()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    /** Changes one attribute of a client of the realm (its device code lifespan, say). */
    private void setClientAttribute(String clientId, String attribute, String value) throws Exception {
        HttpResponse<String> found =
                http.send(admin("/clients?clientId=" + clientId).build(), HttpResponse.BodyHandlers.ofString());
        ObjectNode client = (ObjectNode) Project.JSON.readTree(found.body()).get(0);
        ((ObjectNode) client.get("attributes")).put(attribute, value);
        HttpResponse<String> r = http.send(
                admin("/clients/" + client.get("id").asText())
                        .header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString(client.toString()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
    }

    /** A request to the realm's admin API as the flotilla-admin client's service account. */
    private HttpRequest.Builder admin(String path) throws Exception {
        HttpResponse<String> t = tokenEndpoint("grant_type=client_credentials&client_id=flotilla-admin&client_secret="
                + URLEncoder.encode(adminSecret, StandardCharsets.UTF_8));
        String token = Project.JSON.readTree(t.body()).get("access_token").asText();
        return HttpRequest.newBuilder(URI.create(keycloak.url + "/admin/realms/flotilla" + path))
                .header("Authorization", "Bearer " + token);
    }

    private HttpResponse<String> tokenEndpoint(String form) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(keycloak.url + "/realms/flotilla/protocol/openid-connect/token"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static WebElement waitFor(WebDriver browser, By what) {
        try {
            return new WebDriverWait(browser, Duration.ofSeconds(20))
                    .until(d -> d.findElements(what).stream().findFirst().orElse(null));
        } catch (RuntimeException e) {
            shot(browser, "device-failed");
            throw new AssertionError(
                    "waiting for " + what + " at " + browser.getCurrentUrl() + ":\n" + browser.getPageSource(), e);
        }
    }

    private static void shot(WebDriver browser, String name) {
        try {
            Files.write(SHOTS.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        } catch (Exception e) {
            // a screenshot is for people reading the run; the assertions decide
        }
    }
}
