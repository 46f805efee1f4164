package dev.flotilla.system;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard in a real headless Chromium: sign in, see the machine, watch its presence change
 * live (over SSE, without a reload) when its agent is killed and restarted. Screenshots go to
 * system-tests/target/screenshots/.
 */
class DashboardBrowserTest {
    private static final Path SHOTS = Project.ROOT.resolve("system-tests/target/screenshots");

    private RunningService service;
    private WebDriver browser;

    @BeforeEach
    void start() throws Exception {
        service = new RunningService("browser");
        Path profile = Files.createDirectories(service.work.resolve("chromium-profile"));
        ChromeOptions options = Chromium.options(profile);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        browser = Chromium.start(options);
        Files.createDirectories(SHOTS);
    }

    @AfterEach
    void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        service.close();
    }

    @Test
    void shouldShowPresenceLiveAfterSigningIn() throws Exception {
        Process agent = service.startAgent(service.newEnrollmentToken(1), "agent.log");
        service.awaitPresence("online");

        browser.get(service.url + "/machines");
        assertThat(browser.getCurrentUrl()).endsWith("/login");
        shot("login");
        browser.findElement(By.id("j_username")).sendKeys("admin");
        browser.findElement(By.id("j_password")).sendKeys("not the password");
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        // The click returns before the next page has loaded: wait for it, as a person would.
        wait.until(ExpectedConditions.urlContains("/login/failed"));
        assertThat(wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[role=alert]")))
                        .getText())
                .contains("Wrong user name or password");

        browser.findElement(By.id("j_username")).sendKeys("admin");
        browser.findElement(By.id("j_password")).sendKeys(service.adminPassword);
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        wait.until(ExpectedConditions.urlContains("/machines"));
        By presence = By.cssSelector("tr[data-machine='" + service.machineId + "'] .presence");
        assertThat(wait.until(ExpectedConditions.visibilityOfElementLocated(presence))
                        .getText())
                .isEqualTo("online");
        shot("machines-online");

        // Kill the agent: the page, not reloaded, turns the machine offline.
        String marker = (String) ((org.openqa.selenium.JavascriptExecutor) browser)
                .executeScript("window.flotillaNotReloaded = 'yes'; return window.flotillaNotReloaded;");
        assertThat(marker).isEqualTo("yes");
        agent.destroyForcibly();
        agent.waitFor(10, TimeUnit.SECONDS);
        wait.until(ExpectedConditions.textToBe(presence, "offline"));
        shot("machines-offline");
        service.startAgent(null, "agent-again.log");
        wait.until(ExpectedConditions.textToBe(presence, "online"));
        assertThat(((org.openqa.selenium.JavascriptExecutor) browser)
                        .executeScript("return window.flotillaNotReloaded;"))
                .isEqualTo("yes");

        // Filters, as in the API; a bad selector is explained, not a crash.
        browser.get(service.url + "/machines?selector=role%3Dsystem-test&presence=online");
        assertThat(browser.findElements(By.cssSelector("tr[data-machine]"))).hasSize(1);
        browser.get(service.url + "/machines?selector=role%3D");
        assertThat(browser.findElement(By.cssSelector("[role=alert]")).getText())
                .contains("invalid label selector");

        browser.get(service.url + "/machines/" + service.machineId);
        WebElement facts = browser.findElement(By.cssSelector("dl"));
        assertThat(facts.getText())
                .contains(service.machineId)
                .contains("Kernel")
                .contains("CPUs");
        List<WebElement> history = browser.findElements(By.cssSelector("section.card table tbody tr"));
        assertThat(history.size()).isGreaterThanOrEqualTo(4); // enrolled, online, offline, online
        shot("machine");

        // Units: the list and one unit's page, with its file and where it runs.
        Project.Reply put = Project.put(
                service.url + "/api/v1/units/hello.service",
                service.token,
                "{\"content\":\"[Unit]\\nDescription=Hello\\n[Service]\\nExecStart=/bin/sleep infinity\\n"
                        + "[X-Fleet]\\nGlobal=true\\n\"}");
        assertThat(put.status()).isEqualTo(201);
        browser.get(service.url + "/units");
        assertThat(browser.findElement(By.cssSelector("table.units")).getText())
                .contains("hello.service")
                .contains("every matching machine")
                .contains("launched");
        shot("units");
        browser.findElement(By.linkText("hello.service")).click();
        wait.until(ExpectedConditions.urlContains("/units/hello.service"));
        assertThat(browser.findElement(By.cssSelector("pre.unit-file")).getText())
                .contains("Global=true");
        shot("unit");

        // The unit page follows the unit live: a change made elsewhere (the API) shows without a reload.
        ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("window.flotillaNotReloaded = 'unit';");
        assertThat(Project.patch(service.url + "/api/v1/units/hello.service", service.token, "{\"target\":\"loaded\"}")
                        .status())
                .isEqualTo(200);
        wait.until(ExpectedConditions.textToBe(By.id("unit-target"), "loaded"));
        assertThat(((org.openqa.selenium.JavascriptExecutor) browser)
                        .executeScript("return window.flotillaNotReloaded;"))
                .isEqualTo("unit");

        // Submit a unit through the form: an invalid one is explained and kept for correction,
        // "Check" shows what a valid one would do without saving, "Save" stores it.
        browser.get(service.url + "/units");
        browser.findElement(By.linkText("Submit a unit")).click();
        wait.until(ExpectedConditions.urlContains("/units/new"));
        browser.findElement(By.id("name")).sendKeys("web.service");
        WebElement content = browser.findElement(By.id("content"));
        content.sendKeys("[Service]\nExecStart=/bin/sleep infinity\n[X-Fleet]\nGlobal=true\nMachineOf=db.service\n");
        browser.findElement(By.id("check")).click();
        assertThat(wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("unit-error")))
                        .getText())
                .contains("Global cannot be used with Peers");
        shot("unit-form-refused");
        content = browser.findElement(By.id("content"));
        assertThat(content.getAttribute("value")).contains("MachineOf=db.service"); // kept for correction
        content.clear();
        content.sendKeys(
                "[Service]\nExecStart=/bin/sleep infinity\n[X-Fleet]\nGlobal=true\nMachineMetadata=role=web\n");
        browser.findElement(By.id("check")).click();
        assertThat(wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("unit-checked")))
                        .getText())
                .contains("Global: runs on every machine labelled role=web");
        assertThat(Project.get(service.url + "/api/v1/units/web.service", service.token)
                        .status())
                .isEqualTo(404);
        shot("unit-form-checked");
        browser.findElement(By.id("save")).click();
        wait.until(ExpectedConditions.urlContains("/units/web.service"));
        assertThat(Project.get(service.url + "/api/v1/units/web.service", service.token)
                        .status())
                .isEqualTo(200);

        // Stop and destroy ask first.
        browser.findElement(By.linkText("Stop")).click();
        wait.until(ExpectedConditions.urlContains("/confirm/stop"));
        shot("unit-confirm-stop");
        assertThat(Project.get(service.url + "/api/v1/units/web.service", service.token)
                        .body()
                        .path("target")
                        .asText())
                .isEqualTo("launched");
        browser.findElement(By.id("confirm")).click();
        assertThat(wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[role=status]")))
                        .getText())
                .contains("Target set to loaded");
        browser.findElement(By.linkText("Destroy")).click();
        wait.until(ExpectedConditions.urlContains("/confirm/destroy"));
        browser.findElement(By.id("confirm")).click();
        wait.until(ExpectedConditions.urlToBe(service.url + "/units"));
        assertThat(Project.get(service.url + "/api/v1/units/web.service", service.token)
                        .status())
                .isEqualTo(404);

        // An update policy made in the browser: weekday nights and a cron window, previewed (the
        // next openings, nothing saved), then saved; its calendar of the next days in its own zone.
        browser.get(service.url + "/updates");
        browser.findElement(By.linkText("New policy")).click();
        wait.until(ExpectedConditions.urlContains("/updates/new"));
        browser.findElement(By.id("name")).sendKeys("nights");
        browser.findElement(By.id("selector")).sendKeys("role=web");
        browser.findElement(By.id("maxParallel")).clear();
        browser.findElement(By.id("maxParallel")).sendKeys("10%");
        for (String day : List.of("MON", "TUE", "WED", "THU", "FRI")) {
            browser.findElement(By.cssSelector("input[name=day][value='0:" + day + "']"))
                    .click();
        }
        setTime(browser, browser.findElement(By.id("w0-start")), "22:00");
        browser.findElement(By.id("w0-length")).sendKeys("4h");
        browser.findElement(By.id("w0-zone")).clear();
        browser.findElement(By.id("w0-zone")).sendKeys("Europe/Berlin");
        browser.findElement(By.id("add-window")).click();
        new org.openqa.selenium.support.ui.Select(
                        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("w1-kind"))))
                .selectByValue("cron");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("w1-cron")))
                .sendKeys("0 12 * * SAT");
        browser.findElement(By.id("w1-length")).sendKeys("1h");
        browser.findElement(By.id("w1-zone")).clear();
        browser.findElement(By.id("w1-zone")).sendKeys("Europe/Berlin");
        browser.findElement(By.id("preview-button")).click();
        assertThat(wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("preview-openings")))
                        .findElements(By.cssSelector("tbody tr")))
                .hasSizeGreaterThanOrEqualTo(6);
        shot("update-policy-preview");
        assertThat(Project.get(service.url + "/api/v1/update-policies/nights", service.token)
                        .status())
                .as("a preview saves nothing")
                .isEqualTo(404);
        browser.findElement(By.id("save")).click();
        wait.until(ExpectedConditions.urlToBe(service.url + "/updates/nights"));
        Project.Reply nights = Project.get(service.url + "/api/v1/update-policies/nights", service.token);
        assertThat(nights.status()).isEqualTo(200);
        assertThat(nights.body().get("windows")).hasSize(2);
        assertThat(nights.body().get("windows").get(0).get("length").asText()).isEqualTo("PT4H");
        // Five nights of 22:00-02:00 (two cells each night, two the morning after) and a Saturday noon.
        assertThat(browser.findElements(By.cssSelector("#calendar td.open")).size())
                .isBetween(16, 22);
        shot("update-policy");
        // Its leases and machines follow the database live (the page's script applies the first event).
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("[data-policy-live][data-updated]")));
        // An admin makes a FleetLock URL for Zincati: shown once.
        browser.get(service.url + "/updates");
        browser.findElement(By.id("new-fleetlock")).click();
        assertThat(wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("fleetlock-url")))
                        .getText())
                .contains("/fleetlock/flk_");
        shot("updates-fleetlock");

        List<LogEntry> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .filter(e -> !e.getMessage().contains("favicon.ico"))
                // The refused form above is answered 400 on purpose (the page explains why); Chromium
                // logs every non-2xx page load as an error.
                .filter(
                        e -> !e.getMessage()
                                .endsWith(
                                        "/units - Failed to load resource: the server responded with a status of 400 (Bad Request)"))
                .toList();
        assertThat(errors)
                .as("browser console errors (CSP violations, script errors)")
                .isEmpty();
    }

    /**
     * Sets an {@code <input type=time>}: what its keys mean depends on the browser's locale (12 or 24
     * hours), so the value is set as the picker would set it, and the change announced.
     */
    private static void setTime(WebDriver browser, WebElement input, String hhmm) {
        ((org.openqa.selenium.JavascriptExecutor) browser)
                .executeScript(
                        "arguments[0].value = arguments[1];"
                                + "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
                        input,
                        hhmm);
    }

    private void shot(String name) throws Exception {
        byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        Files.write(SHOTS.resolve(name + ".png"), png);
    }
}
