package dev.flotilla.system;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sign-in through a real Keycloak (the distribution from Maven Central, the realm from
 * deploy/keycloak/), driven in headless Chromium: a person signs up on Keycloak's registration
 * page and creates an organization; invites a second person by email (the Keycloak user is made
 * through the admin API without a password, and Keycloak mails a link, caught by GreenMail, to
 * verify the address and choose a password: the inviter never sees one), who follows it, signs in
 * and accepts through the invitation link; removed, the second person is refused at their very next request. A
 * service account created through the API gets a token by the client credentials grant and calls
 * the API with its role, no more. Screenshots in system-tests/target/screenshots/keycloak-*.png.
 */
@org.junit.jupiter.api.extension.ExtendWith(KeycloakEnvironment.Shared.class)
class KeycloakSignInTest {
    private static final Path SHOTS = Project.ROOT.resolve("system-tests/target/screenshots");

    private KeycloakServer keycloak;
    private com.icegreen.greenmail.util.GreenMail mail;
    private String adminSecret;
    private RunningService service;
    private final List<WebDriver> browsers = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start(KeycloakEnvironment env) throws Exception {
        keycloak = env.keycloak;
        mail = env.mail;
        adminSecret = env.adminSecret;
        service = env.service;
        Files.createDirectories(SHOTS);
    }

    @AfterEach
    void stop() {
        for (WebDriver b : browsers) {
            b.quit();
        }
    }

    @Test
    void shouldSignUpInviteRemoveAndServeAServiceAccount() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 6);
        WebDriver alice = browser("alice");

        // Signing up: Keycloak's registration page, then a first organization
        alice.get(service.url + "/machines");
        waitFor(alice, By.id("username"));
        shot(alice, "keycloak-login");
        alice.findElement(By.linkText("Register")).click();
        waitFor(alice, By.id("password-confirm"));
        alice.findElement(By.id("username")).sendKeys("alice-" + tag);
        alice.findElement(By.id("email")).sendKeys("alice-" + tag + "@example.com");
        alice.findElement(By.id("firstName")).sendKeys("Alice");
        alice.findElement(By.id("lastName")).sendKeys("Example");
        alice.findElement(By.id("password")).sendKeys("alice's long password");
        WebElement confirm = alice.findElement(By.id("password-confirm"));
        confirm.sendKeys("alice's long password");
        confirm.submit();
        waitFor(alice, By.id("slug"));
        assertThat(alice.getCurrentUrl()).isEqualTo(service.url + "/orgs/new");
        alice.findElement(By.id("name")).sendKeys("Acme " + tag);
        WebElement slug = alice.findElement(By.id("slug"));
        slug.sendKeys("acme-" + tag);
        slug.submit();
        waitFor(alice, By.id("org-switch"));
        assertThat(alice.findElement(By.id("org-switch")).getText()).contains("Acme " + tag + " (owner)");
        shot(alice, "keycloak-signed-in");

        // An admin API token from the dashboard, for the API calls below
        alice.get(service.url + "/tokens");
        alice.findElement(By.id("token-name")).sendKeys("automation");
        new org.openqa.selenium.support.ui.Select(alice.findElement(By.id("token-role"))).selectByVisibleText("admin");
        alice.findElement(By.id("create-token")).click();
        String token = waitFor(alice, By.id("token-secret")).getText();
        assertThat(token).startsWith("flt_");

        // Inviting bob: Keycloak creates his user without a password and an unverified address, and
        // mails him (GreenMail, a real SMTP server here); alice sees the link, never a password.
        alice.get(service.url + "/members");
        alice.findElement(By.id("email")).sendKeys("bob-" + tag + "@example.com");
        new org.openqa.selenium.support.ui.Select(alice.findElement(By.id("role"))).selectByValue("operator");
        alice.findElement(By.id("send-invitation")).click();
        String link = waitFor(alice, By.id("invitation-link")).getText();
        assertThat(link).startsWith(service.url + "/invitations/fli_");
        assertThat(alice.findElement(By.id("invitation-email-sent")).getText()).contains("emailed");
        assertThat(alice.findElements(By.id("temporary-password"))).isEmpty();
        shot(alice, "keycloak-invited");
        assertThat(mail.waitForIncomingEmail(60_000, 1))
                .as("Keycloak's mail to bob")
                .isTrue();
        jakarta.mail.internet.MimeMessage sent = mail.getReceivedMessages()[0];
        assertThat(sent.getAllRecipients()[0].toString()).isEqualTo("bob-" + tag + "@example.com");
        java.util.regex.Matcher action = java.util.regex.Pattern.compile(
                        "https?://\\S+/login-actions/action-token\\?\\S+")
                .matcher(text(sent));
        assertThat(action.find()).as("a link in: " + text(sent)).isTrue();
        // Until he follows the mail, his user has no password and an unverified address.
        JsonNode bobUser = keycloakUser("bob-" + tag + "@example.com");
        assertThat(bobUser.get("emailVerified").asBoolean()).isFalse();
        assertThat(bobUser.path("credentials").size()).isZero();

        // Bob follows the mail: Keycloak verifies his address and has him choose a password
        WebDriver bob = browser("bob");
        bob.get(action.group().replace("&amp;", "&"));
        waitFor(bob, By.partialLinkText("proceed")).click();
        WebElement newPassword = waitFor(bob, By.id("password-new"));
        newPassword.sendKeys("bob's own long password");
        WebElement again = bob.findElement(By.id("password-confirm"));
        again.sendKeys("bob's own long password");
        again.submit();
        // Keycloak then asks a new user for the name the realm's user profile requires
        WebElement next = waitFor(bob, By.cssSelector("#firstName, #kc-page-title, .instruction, #kc-info-message"));
        if (next.getAttribute("id").equals("firstName")) {
            next.sendKeys("Bob");
            WebElement last = bob.findElement(By.id("lastName"));
            last.sendKeys("Example");
            last.submit();
        }
        shot(bob, "keycloak-bob-verified");
        assertThat(keycloakUser("bob-" + tag + "@example.com")
                        .get("emailVerified")
                        .asBoolean())
                .isTrue();

        // Then he opens the invitation, signs in with the password he chose, and joins
        bob.get(link);
        waitFor(bob, By.id("sign-in")).click();
        WebElement login = waitFor(bob, By.cssSelector("#username, #accept"));
        if (login.getAttribute("id").equals("username")) {
            login.sendKeys("bob-" + tag + "@example.com");
            WebElement password = bob.findElement(By.id("password"));
            password.sendKeys("bob's own long password");
            password.submit();
        }
        // Keycloak asks a new user for the name the realm's user profile requires, if not yet given
        WebElement profile = waitFor(bob, By.cssSelector("#firstName, #accept"));
        if (profile.getAttribute("id").equals("firstName")) {
            profile.sendKeys("Bob");
            WebElement last = bob.findElement(By.id("lastName"));
            last.sendKeys("Example");
            last.submit();
        }
        waitFor(bob, By.id("accept")).click();
        waitFor(bob, By.id("org-switch"));
        assertThat(bob.findElement(By.id("org-switch")).getText()).contains("Acme " + tag + " (operator)");
        bob.get(service.url + "/units");
        assertThat(bob.getPageSource()).contains("Units");
        shot(bob, "keycloak-bob-joined");

        // Removed, bob is refused at his next request
        JsonNode members = Project.get(service.url + "/api/v1/members", token).body();
        String bobId = null;
        for (JsonNode m : members) {
            if (("bob-" + tag + "@example.com").equals(m.path("email").asText())) {
                bobId = m.get("id").asText();
                assertThat(m.get("subject").asText()).startsWith("oidc:");
            }
        }
        assertThat(bobId).isNotNull();
        alice.get(service.url + "/members/" + bobId + "/remove");
        waitFor(alice, By.id("confirm")).click();
        waitFor(alice, By.id("invite")); // back on the members page: the removal is done
        bob.get(service.url + "/units");
        assertThat(bob.getPageSource()).contains("403").doesNotContain("Acme " + tag);

        // A service account: a Keycloak client made through the API, its token good for its role only
        Project.Reply made = Project.post(
                service.url + "/api/v1/service-accounts", token, "{\"name\":\"ci\",\"role\":\"operator\"}");
        assertThat(made.status()).as(String.valueOf(made.body())).isEqualTo(201);
        String clientId = made.body().get("clientId").asText();
        String secret = made.body().get("clientSecret").asText();
        String accessToken = clientCredentials(made.body().get("tokenUrl").asText(), clientId, secret);
        assertThat(Project.get(service.url + "/api/v1/units", accessToken).status())
                .isEqualTo(200);
        assertThat(Project.get(service.url + "/api/v1/members", accessToken).status())
                .isEqualTo(403);
        Project.Reply forged =
                Project.get(service.url + "/api/v1/units", accessToken.substring(0, accessToken.length() - 4) + "AAAA");
        assertThat(forged.status()).isEqualTo(401);
        assertThat(Project.get(service.url + "/api/v1/units", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")
                        .status())
                .isEqualTo(401);
        // a genuine token of the same realm, but issued to another client (no flotilla-api audience)
        String foreign = clientCredentials(made.body().get("tokenUrl").asText(), "flotilla-admin", adminSecret);
        assertThat(Project.get(service.url + "/api/v1/units", foreign).status()).isEqualTo(401);

        // All of it audited, sign-ins included
        JsonNode audit = Project.get(service.url + "/api/v1/audit?limit=200", token)
                .body()
                .get("items");
        List<String> actions = new ArrayList<>();
        audit.forEach(e -> actions.add(e.get("action").asText()));
        assertThat(actions)
                .contains(
                        "org.create",
                        "token.create",
                        "invitation.create",
                        "invitation.accept",
                        "member.remove",
                        "service-account.create");
    }

    private String clientCredentials(String tokenUrl, String clientId, String secret) throws Exception {
        String form = "grant_type=client_credentials&client_id=" + URLEncoder.encode(clientId, StandardCharsets.UTF_8)
                + "&client_secret=" + URLEncoder.encode(secret, StandardCharsets.UTF_8);
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(tokenUrl))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Project.JSON.readTree(r.body()).get("access_token").asText();
    }

    private WebDriver browser(String name) throws Exception {
        Path profile = Files.createDirectories(service.work.resolve("chromium-" + name));
        WebDriver b = Chromium.start(Chromium.options(profile));
        browsers.add(b);
        return b;
    }

    /** The mail's text part (Keycloak sends text and HTML), decoded. */
    private static String text(jakarta.mail.internet.MimeMessage m) throws Exception {
        Object content = m.getContent();
        if (content instanceof jakarta.mail.internet.MimeMultipart parts) {
            for (int i = 0; i < parts.getCount(); i++) {
                if (parts.getBodyPart(i).isMimeType("text/plain")) {
                    return String.valueOf(parts.getBodyPart(i).getContent());
                }
            }
        }
        return String.valueOf(content);
    }

    /** A user of the realm as Keycloak's admin API shows it (with the flotilla-admin client's token). */
    private JsonNode keycloakUser(String email) throws Exception {
        HttpResponse<String> t = http.send(
                HttpRequest.newBuilder(URI.create(keycloak.url + "/realms/flotilla/protocol/openid-connect/token"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "grant_type=client_credentials&client_id=flotilla-admin" + "&client_secret="
                                        + URLEncoder.encode(adminSecret, StandardCharsets.UTF_8)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        String token = Project.JSON.readTree(t.body()).get("access_token").asText();
        HttpResponse<String> users = http.send(
                HttpRequest.newBuilder(URI.create(keycloak.url + "/admin/realms/flotilla/users?exact=true&email="
                                + URLEncoder.encode(email, StandardCharsets.UTF_8)))
                        .header("Authorization", "Bearer " + token)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode user = Project.JSON.readTree(users.body()).get(0);
        HttpResponse<String> credentials = http.send(
                HttpRequest.newBuilder(URI.create(keycloak.url + "/admin/realms/flotilla/users/"
                                + user.get("id").asText() + "/credentials"))
                        .header("Authorization", "Bearer " + token)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        ((com.fasterxml.jackson.databind.node.ObjectNode) user)
                .set("credentials", Project.JSON.readTree(credentials.body()));
        return user;
    }

    private static WebElement waitFor(WebDriver browser, By what) {
        try {
            return new WebDriverWait(browser, Duration.ofSeconds(20))
                    .until(d -> d.findElements(what).stream().findFirst().orElse(null));
        } catch (RuntimeException e) {
            shot(browser, "keycloak-failed");
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
