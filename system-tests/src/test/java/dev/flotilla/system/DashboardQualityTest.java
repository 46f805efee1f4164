package dev.flotilla.system;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import com.fasterxml.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard's quality bars (issue 19), on the packaged service with real data, in Debian's
 * Chromium: axe-core finds no serious or critical violation on any page in light or dark mode,
 * Lighthouse scores every page at least 95 for performance, accessibility and best practices, and
 * the keyboard reaches everything (a skip link first, a visible focus ring, aria-current in the
 * navigation). axe-core and Lighthouse come from npm (deploy/ci/prepare-test-machine.sh). Reports
 * and screenshots of every page in both modes go to system-tests/target/.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardQualityTest {
    private static final Path AUDIT =
            Path.of(System.getenv().getOrDefault("FLOTILLA_TEST_CACHE", "/var/cache/flotilla-test"), "web-audit");
    private static final Path SHOTS = Project.ROOT.resolve("system-tests/target/screenshots");
    private static final Path REPORTS = Project.ROOT.resolve("system-tests/target/lighthouse");
    private static final double BAR = 0.95;

    private RunningService service;
    private ChromeDriver browser;
    private WebDriverWait wait;
    /** Every page the issue names, by name, with real content behind it. */
    private final Map<String, String> pages = new LinkedHashMap<>();

    @BeforeAll
    void start() throws Exception {
        assertThat(AUDIT.resolve("node_modules/axe-core/axe.min.js"))
                .as("axe-core and Lighthouse from npm: run deploy/ci/prepare-test-machine.sh")
                .exists();
        service = new RunningService("quality");
        service.startAgent(service.newEnrollmentToken(1), "agent.log");
        service.awaitPresence("online");
        // A global unit on the machine, an update policy with windows, a FleetLock URL, an invitation
        // and a token: every page has rows to check, not only its empty state.
        assertThat(Project.put(
                                service.url + "/api/v1/units/hello.service",
                                service.token,
                                "{\"content\":\"[Unit]\\nDescription=Hello\\n[Service]\\nExecStart=/bin/sleep infinity\\n"
                                        + "[X-Fleet]\\nGlobal=true\\n\"}")
                        .status())
                .isEqualTo(201);
        assertThat(Project.post(
                                service.url + "/api/v1/update-policies",
                                service.token,
                                "{\"name\":\"nights\",\"selector\":\"role=system-test\",\"maxParallel\":\"1\","
                                        + "\"windows\":[{\"days\":[\"MON\",\"WED\"],\"start\":\"22:00\","
                                        + "\"length\":\"PT4H\",\"timeZone\":\"Europe/Berlin\"}]}")
                        .status())
                .isEqualTo(201);
        assertThat(Project.post(
                                service.url + "/api/v1/invitations",
                                service.token,
                                "{\"email\":\"ada@example.com\"," + "\"role\":\"operator\"}")
                        .status())
                .isEqualTo(201);

        pages.put("overview", "/");
        pages.put("machines", "/machines");
        pages.put("machine", "/machines/" + service.machineId);
        pages.put("units", "/units");
        pages.put("unit", "/units/hello.service");
        pages.put("unit-form", "/units/new");
        pages.put("updates", "/updates");
        pages.put("policy", "/updates/nights");
        pages.put("members", "/members");
        pages.put("tokens", "/tokens");
        pages.put("audit", "/audit");
        pages.put("add-machines", "/machines/add");
        pages.put("labels", "/machines/" + service.machineId + "/labels");
        pages.put("policy-form", "/updates/new");

        Files.createDirectories(SHOTS);
        Files.createDirectories(REPORTS);
        browser = (ChromeDriver)
                Chromium.start(Chromium.options(Files.createDirectories(service.work.resolve("chromium-profile"))));
        wait = new WebDriverWait(browser, Duration.ofSeconds(20));
    }

    @AfterAll
    void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (service != null) {
            service.close();
        }
    }

    @Test
    void shouldHaveNoSeriousAccessibilityViolationOnAnyPageInLightOrDarkMode() throws Exception {
        String axe = Files.readString(AUDIT.resolve("node_modules/axe-core/axe.min.js"));
        List<String> found = new ArrayList<>();
        // The sign-in page first, signed out.
        for (String mode : List.of("light", "dark")) {
            colourScheme(mode);
            browser.manage().deleteAllCookies();
            browser.get(service.url + "/login");
            found.addAll(axe(axe, "sign-in", mode));
        }
        signIn();
        for (String mode : List.of("light", "dark")) {
            colourScheme(mode);
            for (Map.Entry<String, String> page : pages.entrySet()) {
                browser.get(service.url + page.getValue());
                wait.until(d -> "complete".equals(browser.executeScript("return document.readyState")));
                assertThat(browser.findElements(By.cssSelector("main h1")))
                        .as(page.getKey() + " (" + page.getValue() + ") has its heading: it rendered")
                        .isNotEmpty();
                found.addAll(axe(axe, page.getKey(), mode));
            }
        }
        assertThat(found).as("axe-core serious and critical violations").isEmpty();
    }

    @Test
    void shouldScoreAtLeast95InLighthouseOnEveryPage() throws Exception {
        String cookie = "quarkus-credential=" + sessionCookie();
        List<String> command = new ArrayList<>(List.of(
                "node",
                Project.ROOT
                        .resolve("system-tests/src/test/resources/lighthouse.mjs")
                        .toString(),
                AUDIT.toString(),
                REPORTS.toString(),
                cookie));
        List<String> names = new ArrayList<>(pages.keySet());
        pages.values().forEach(p -> command.add(service.url + p));
        // and the sign-in page (a signed-in person sees it too)
        names.add("sign-in");
        command.add(service.url + "/login");
        String out = Project.run(Duration.ofMinutes(8), command.toArray(String[]::new));
        List<String> below = new ArrayList<>();
        StringBuilder table = new StringBuilder("page\tperformance\taccessibility\tbest-practices\n");
        int i = 0;
        for (String line : out.lines().filter(l -> l.startsWith("{")).toList()) {
            JsonNode r = Project.JSON.readTree(line);
            String name = names.get(i++);
            JsonNode s = r.get("scores");
            table.append(name)
                    .append('\t')
                    .append(s.get("performance").asText())
                    .append('\t')
                    .append(s.get("accessibility").asText())
                    .append('\t')
                    .append(s.get("best-practices").asText())
                    .append('\n');
            assertThat(r.get("runtimeError").isNull())
                    .as(name + ": " + r.get("runtimeError"))
                    .isTrue();
            if (!name.equals("sign-in")) {
                assertThat(r.get("finalUrl").asText())
                        .as(name + " was not sent to sign in")
                        .doesNotContain("/login");
            }
            s.fields().forEachRemaining(e -> {
                if (e.getValue().asDouble() < BAR) {
                    below.add(name + " " + e.getKey() + " " + e.getValue().asDouble() + ": " + r.get("lost"));
                }
            });
        }
        Files.writeString(REPORTS.resolve("scores.tsv"), table);
        System.out.println("Lighthouse scores (desktop):\n" + table);
        assertThat(i).as("a report for every page").isEqualTo(names.size());
        assertThat(below).as("categories below " + BAR).isEmpty();
    }

    @Test
    void shouldLetAKeyboardReachTheContentAndShowWhereItIs() throws Exception {
        colourScheme("light");
        signIn();
        browser.get(service.url + "/units");
        // The first Tab lands on the skip link, which shows itself and leads to the content.
        browser.findElement(By.tagName("body")).sendKeys(Keys.TAB);
        WebElement skip = browser.switchTo().activeElement();
        assertThat(skip.getText()).isEqualTo("Skip to content");
        assertThat(skip.isDisplayed()).isTrue();
        assertThat(skip.getCssValue("outline-style")).as("visible focus").isNotEqualTo("none");
        shot("keyboard-skip-link", "light");
        skip.sendKeys(Keys.ENTER);
        assertThat(browser.switchTo().activeElement().getAttribute("id")).isEqualTo("main");
        // The navigation says where we are.
        assertThat(browser.findElement(By.cssSelector("nav[aria-label=Main] a[aria-current=page]"))
                        .getText())
                .isEqualTo("Units");
        // From the content, Tab reaches "Submit a unit"; Enter follows it.
        WebElement next = tabTo("Submit a unit", 10);
        next.sendKeys(Keys.ENTER);
        wait.until(ExpectedConditions.urlContains("/units/new"));
        // The whole form by keyboard alone: name, file, Check (what it would do), then Save.
        tabToId("name", 30).sendKeys("keys.service");
        tabToId("content", 3).sendKeys("[Service]\nExecStart=/bin/sleep infinity\n[X-Fleet]\nGlobal=true\n");
        tabTo("Check", 5).sendKeys(Keys.ENTER);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("unit-checked")));
        shot("keyboard-unit-checked", "light");
        tabTo("Save", 60).sendKeys(Keys.ENTER);
        wait.until(ExpectedConditions.urlContains("/units/keys.service"));
        assertThat(Project.get(service.url + "/api/v1/units/keys.service", service.token)
                        .status())
                .isEqualTo(200);
    }

    private WebElement tabToId(String id, int tabs) {
        for (int i = 0; i < tabs; i++) {
            browser.switchTo().activeElement().sendKeys(Keys.TAB);
            WebElement now = browser.switchTo().activeElement();
            if (id.equals(now.getAttribute("id"))) {
                assertThat(now.getCssValue("outline-style"))
                        .as("visible focus on #" + id)
                        .isNotEqualTo("none");
                return now;
            }
        }
        throw new AssertionError("Tab did not reach #" + id + " in " + tabs + " presses");
    }

    private WebElement tabTo(String text, int tabs) {
        for (int i = 0; i < tabs; i++) {
            browser.switchTo().activeElement().sendKeys(Keys.TAB);
            WebElement now = browser.switchTo().activeElement();
            if (text.equals(now.getText())) {
                assertThat(now.getCssValue("outline-style"))
                        .as("visible focus on " + text)
                        .isNotEqualTo("none");
                return now;
            }
        }
        throw new AssertionError("Tab did not reach \"" + text + "\" in " + tabs + " presses");
    }

    private void signIn() {
        browser.get(service.url + "/login");
        if (!browser.findElements(By.id("j_username")).isEmpty()) {
            browser.findElement(By.id("j_username")).sendKeys("admin");
            browser.findElement(By.id("j_password")).sendKeys(service.adminPassword);
            browser.findElement(By.cssSelector("button[type=submit]")).click();
            wait.until(ExpectedConditions.not(ExpectedConditions.urlContains("/login")));
        }
    }

    private String sessionCookie() {
        signIn();
        return browser.manage().getCookieNamed("quarkus-credential").getValue();
    }

    private void colourScheme(String mode) {
        browser.executeCdpCommand(
                "Emulation.setEmulatedMedia",
                Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", mode))));
    }

    /** axe-core's serious and critical violations on the page shown, one line each. */
    private List<String> axe(String axeSource, String page, String mode) throws Exception {
        browser.executeScript(axeSource);
        Object result = browser.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "axe.run(document, {resultTypes: ['violations']})"
                + ".then(r => done(JSON.stringify(r.violations)), e => done('error: ' + e));");
        assertThat(String.valueOf(result)).as("axe ran on " + page).doesNotStartWith("error");
        shot(page, mode);
        List<String> serious = new ArrayList<>();
        for (JsonNode v : Project.JSON.readTree(String.valueOf(result))) {
            String impact = v.get("impact").asText();
            if (impact.equals("serious") || impact.equals("critical")) {
                List<String> where = new ArrayList<>();
                v.get("nodes").forEach(n -> where.add(n.get("target").toString()));
                serious.add(page + " (" + mode + "): " + v.get("id").asText() + " [" + impact + "] "
                        + v.get("help").asText() + " at " + where);
            }
        }
        return serious;
    }

    private void shot(String page, String mode) throws Exception {
        byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        Files.write(SHOTS.resolve("quality-" + page + "-" + mode + ".png"), png);
    }
}
