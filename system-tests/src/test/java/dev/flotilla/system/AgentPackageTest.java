package dev.flotilla.system;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import com.fasterxml.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The agent's packages as a host's administrator meets them, built by deploy/packages/build.sh
 * (what `./flotilla package` runs): the .deb installed with dpkg into a real Debian systemd host
 * (which has no Java) by the commands the dashboard's "Add machines" page gives in Chromium, which
 * says live when the machine is online; its labels edited in the browser bring it a global unit,
 * which its systemd runs; enrolled with {@code flotilla-agent enroll}, started with systemctl,
 * upgraded to a second build and purged. The .rpm is checked with {@code rpm -qp}: no RPM-based
 * host can be made on these machines (no Fedora or RHEL repository is served), so its scripts run
 * nowhere here; they are the .deb's, word for word.
 */
class AgentPackageTest {
    private static final Path SHOTS = Project.ROOT.resolve("system-tests/target/screenshots");
    private static Path packages;
    private static String version;
    private WebDriver browser;

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    private void shot(String name) throws Exception {
        java.nio.file.Files.createDirectories(SHOTS);
        java.nio.file.Files.write(
                SHOTS.resolve("package-" + name + ".png"),
                ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }

    @BeforeAll
    static void build() throws Exception {
        // Under host-agent/target, which every systemd host of the tests sees at /opt/agent.
        packages = Project.AGENT_JAR.getParent().resolve("packages-test");
        for (String revision : List.of("1", "2")) {
            Project.run(
                    Duration.ofMinutes(8),
                    Project.ROOT.resolve("deploy/packages/build.sh").toString(),
                    "--out",
                    packages.toString(),
                    "--revision",
                    revision);
        }
        String pom = java.nio.file.Files.readString(Project.ROOT.resolve("pom.xml"));
        var m = java.util.regex.Pattern.compile("\n    <version>([^<]+)</version>")
                .matcher(pom);
        assertThat(m.find()).isTrue();
        version = m.group(1).replace("-SNAPSHOT", "");
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (packages != null) {
            Project.run(Duration.ofSeconds(30), "rm", "-rf", packages.toString());
        }
    }

    private static String deb(int revision) {
        return "/opt/agent/packages-test/flotilla-agent_" + version + "-" + revision + "_amd64.deb";
    }

    private static Path rpm() {
        return packages.resolve("flotilla-agent-" + version + "-1.x86_64.rpm");
    }

    @Test
    void shouldInstallEnrollUpgradeAndPurgeTheDebOnADebianSystemdHost() throws Exception {
        try (RunningService service = new RunningService("package");
                SystemdHost host =
                        new SystemdHost("fl-pkg-" + ProcessHandle.current().pid())) {
            assertThat(host.exec("sh", "-c", "command -v java || echo none").strip())
                    .as("the host has no Java of its own")
                    .isEqualTo("none");
            host.exec("dpkg", "-i", deb(1));
            // Installed and enabled, but not started before the host is enrolled.
            assertThat(host.exec("systemctl", "is-enabled", "flotilla-agent.service")
                            .strip())
                    .isEqualTo("enabled");
            assertThat(status(host)).isEqualTo("inactive");
            assertThat(host.exec("flotilla-agent", "--version")).contains("flotilla-agent");

            // A person adds the machine as the dashboard tells them: "Add machines", a new token, the
            // .deb's commands from the page (root here: no sudo; the package is already copied in,
            // so the download line is the one line not run), and the page says live when the first
            // machine of the organization is online.
            browser = Chromium.start(
                    Chromium.options(java.nio.file.Files.createDirectories(service.work.resolve("chromium-profile"))));
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
            browser.get(service.url + "/login");
            browser.findElement(By.id("j_username")).sendKeys("admin");
            browser.findElement(By.id("j_password")).sendKeys(service.adminPassword);
            browser.findElement(By.cssSelector("button[type=submit]")).click();
            wait.until(ExpectedConditions.not(ExpectedConditions.urlContains("/login")));
            browser.get(service.url + "/machines/add");
            for (String[] field : new String[][] {{"token-name", "pkg"}, {"token-uses", "1"}, {"token-ttl", "PT1H"}}) {
                WebElement input = browser.findElement(By.id(field[0]));
                input.clear();
                input.sendKeys(field[1]);
            }
            browser.findElement(By.id("create-enrollment-token")).click();
            String token = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("enrollment-secret")))
                    .getText();
            String commands =
                    browser.findElement(By.cssSelector("#install-deb pre")).getText();
            shot("add-machines-token");
            assertThat(commands)
                    .contains(token)
                    .contains("dpkg -i flotilla-agent_" + version + "-1_amd64.deb")
                    .contains("sudo systemctl start flotilla-agent");
            String output = "";
            for (String line : commands.lines().toList()) {
                if (line.startsWith("curl ")) {
                    continue; // the download: the package is at /opt/agent/packages-test already
                }
                String run = line.replaceFirst("^sudo ", "")
                        .replace("dpkg -i flotilla-agent_", "dpkg -i /opt/agent/packages-test/flotilla-agent_");
                output += host.exec("sh", "-c", run);
            }
            assertThat(output).contains("Enrolled this host as machine");
            String conf = host.exec("cat", "/etc/flotilla/agent.conf");
            assertThat(conf).contains("url = " + service.url);
            assertThat(conf).as("the token is spent, not kept").doesNotContain(token);
            assertThat(host.exec("stat", "-c", "%a", "/var/lib/flotilla-agent").strip())
                    .isEqualTo("700");
            String machine = host.machineId();
            String hostname = host.exec("hostname").strip();
            // The page, not reloaded, names the host once it is online.
            WebElement region = browser.findElement(By.cssSelector("[data-first-machine]"));
            wait.until(ExpectedConditions.textToBePresentInElement(region, hostname + " is online"));
            assertThat(region.getAttribute("aria-live")).isEqualTo("polite");
            shot("add-machines-online");
            awaitPresence(service, machine, "online");

            // Labels edited in the browser, with a preview of what they bring: a global unit for
            // role=pkg, which the host then runs under its own systemd.
            assertThat(Project.put(
                                    service.url + "/api/v1/units/pkg-hello.service",
                                    service.token,
                                    "{\"content\":\"[Service]\\nExecStart=/bin/sleep infinity\\n"
                                            + "[X-Fleet]\\nGlobal=true\\nMachineMetadata=role=pkg\\n\"}")
                            .status())
                    .isEqualTo(201);
            browser.get(service.url + "/machines/" + machine);
            browser.findElement(By.linkText("Edit labels")).click();
            wait.until(ExpectedConditions.urlContains("/labels"));
            browser.findElement(By.cssSelector("input[name=key]:not([type=hidden])"))
                    .sendKeys("role");
            browser.findElement(By.cssSelector("input[name=value][placeholder=value]"))
                    .sendKeys("pkg");
            browser.findElement(By.id("preview-labels")).click();
            assertThat(wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("units-gained")))
                            .getText())
                    .contains("pkg-hello.service");
            shot("labels-preview");
            assertThat(host.exec("sh", "-c", "systemctl is-active pkg-hello.service || true")
                            .strip())
                    .as("a preview changes nothing")
                    .isNotEqualTo("active");
            browser.findElement(By.id("save-labels")).click();
            wait.until(ExpectedConditions.urlToBe(service.url + "/machines/" + machine));
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(
                            () -> assertThat(host.exec("sh", "-c", "systemctl is-active pkg-hello.service || true")
                                            .strip())
                                    .isEqualTo("active"));
            // The unit's page names the host, by name, as running it (live, from the agent's report).
            browser.get(service.url + "/units/pkg-hello.service");
            wait.until(ExpectedConditions.textToBePresentInElementLocated(
                    By.cssSelector("#unit-machines tr[data-machine='" + machine + "']"), hostname));
            wait.until(ExpectedConditions.textToBePresentInElementLocated(
                    By.cssSelector("#unit-machines tr[data-machine='" + machine + "']"), "active"));
            shot("unit-on-package-host");
            // A new file for the running global unit, through the form: it goes out as a rollout,
            // which the unit's page follows with a progress bar and its batches.
            browser.get(service.url + "/units/pkg-hello.service/edit");
            WebElement content = browser.findElement(By.id("content"));
            content.clear();
            content.sendKeys("[Unit]\nDescription=Hello, second file\n[Service]\nExecStart=/bin/sleep infinity\n"
                    + "[X-Fleet]\nGlobal=true\nMachineMetadata=role=pkg\n");
            browser.findElement(By.id("save")).click();
            wait.until(ExpectedConditions.urlContains("/units/pkg-hello.service"));
            await().atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofSeconds(2))
                    .untilAsserted(() -> {
                        browser.navigate().refresh();
                        assertThat(browser.findElement(By.id("rollout-bar")).getAttribute("value"))
                                .isEqualTo("1");
                        assertThat(browser.findElement(By.cssSelector("h2 .state"))
                                        .getText())
                                .isEqualTo("succeeded");
                    });
            assertThat(browser.findElement(By.id("rollout-bar")).getAttribute("max"))
                    .isEqualTo("1");
            assertThat(browser.findElement(By.cssSelector("#rollout-batches tbody"))
                            .getText())
                    .contains("1");
            shot("rollout-succeeded");
            assertThat(host.exec("systemctl", "show", "-p", "Description", "--value", "pkg-hello.service")
                            .strip())
                    .isEqualTo("Hello, second file");
            JsonNode online = awaitPresence(service, machine, "online");
            assertThat(online.get("labels").get("role").asText()).isEqualTo("pkg");
            String pid = mainPid(host);
            String credential = host.exec("cat", "/var/lib/flotilla-agent/credential.json");

            // An upgrade: the new build runs, with the same identity and the same state.
            host.exec("dpkg", "-i", deb(2));
            assertThat(host.exec("dpkg-query", "-W", "-f=${Version}", "flotilla-agent"))
                    .isEqualTo(version + "-2");
            assertThat(status(host)).isEqualTo("active");
            assertThat(mainPid(host)).as("restarted on the new build").isNotEqualTo(pid);
            assertThat(host.exec("cat", "/var/lib/flotilla-agent/credential.json"))
                    .isEqualTo(credential);
            assertThat(host.exec("ls", "/var/lib/flotilla-agent"))
                    .contains("state-journal")
                    // The first build wrote its class-data archive when the upgrade stopped it.
                    .contains("flotilla-agent.jsa");
            assertThat(host.exec("cat", "/etc/flotilla/agent.conf")).isEqualTo(conf);
            awaitPresence(service, machine, "online");
            // Still one machine: nothing enrolled again (the token had one use).
            Project.Reply machines = Project.get(service.url + "/api/v1/machines", service.token);
            assertThat(machines.body().get("items")).hasSize(1);

            // Purge: stopped, and nothing of it stays behind.
            host.exec("env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "purge", "-y", "-q", "flotilla-agent");
            assertThat(status(host)).isEqualTo("inactive");
            awaitPresence(service, machine, "offline");
            String left = host.exec(
                    "sh",
                    "-c",
                    "for p in /usr/lib/flotilla-agent /usr/bin/flotilla-agent /etc/flotilla /var/lib/flotilla-agent"
                            + " /lib/systemd/system/flotilla-agent.service"
                            + " /etc/systemd/system/multi-user.target.wants/flotilla-agent.service;"
                            + " do [ -e $p ] && echo $p; done; true");
            assertThat(left).as("left behind by purge").isBlank();
            assertThat(host.exec("sh", "-c", "dpkg-query -W flotilla-agent 2>&1 || true"))
                    .contains("no packages found");
        }
    }

    @Test
    void shouldBuildAnRpmWithTheSameFilesScriptsAndOnlyTheSystemsDependencies() throws Exception {
        String files = Project.run(Duration.ofSeconds(60), "rpm", "-qpl", rpm().toString());
        assertThat(files)
                .contains(
                        "/usr/bin/flotilla-agent",
                        "/usr/lib/flotilla-agent/flotilla-agent.jar",
                        "/usr/lib/flotilla-agent/jre/bin/java",
                        "/lib/systemd/system/flotilla-agent.service",
                        "/etc/flotilla/agent.conf");
        assertThat(Project.run(Duration.ofSeconds(60), "rpm", "-qpc", rpm().toString())
                        .strip())
                .as("the configuration file, kept on upgrade")
                .isEqualTo("/etc/flotilla/agent.conf");
        List<String> requires = Project.run(Duration.ofSeconds(60), "rpm", "-qpR", rpm().toString())
                .lines()
                .filter(l -> !l.startsWith("rpmlib("))
                .map(String::strip)
                .distinct()
                .toList();
        assertThat(requires)
                .as("no Java, nothing from the bundled runtime")
                .containsExactlyInAnyOrder("/bin/sh", "glibc", "systemd");
        String scripts = Project.run(Duration.ofSeconds(60), "rpm", "-qp", "--scripts", rpm().toString());
        assertThat(scripts)
                .contains("postinstall scriptlet")
                .contains("systemctl enable flotilla-agent.service")
                .contains("systemctl try-restart flotilla-agent.service")
                .contains("preuninstall scriptlet")
                .contains("systemctl stop flotilla-agent.service");
        assertThat(scripts).as("installing starts nothing").doesNotContain("systemctl start");
        String info = Project.run(Duration.ofSeconds(60), "rpm", "-qpi", rpm().toString());
        assertThat(info).contains("Version     : " + version).contains("Release     : 1");
    }

    private static JsonNode awaitPresence(RunningService service, String machine, String presence) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Project.Reply r = Project.get(service.url + "/api/v1/machines/" + machine, service.token);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body().get("presence").asText()).isEqualTo(presence);
            last[0] = r.body();
        });
        return last[0];
    }

    private static String status(SystemdHost host) throws Exception {
        return host.exec("sh", "-c", "systemctl is-active flotilla-agent.service || true")
                .strip();
    }

    private static String mainPid(SystemdHost host) throws Exception {
        return host.exec("systemctl", "show", "-p", "MainPID", "--value", "flotilla-agent.service")
                .strip();
    }
}
