package dev.flotilla.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real systemd host: a podman container with systemd as PID 1, its own hostname and machine id,
 * the packaged agent mounted at /opt/agent. Made by deploy/ci/systemd-hosts.sh.
 */
final class SystemdHost implements AutoCloseable {
    private static final String SCRIPT =
            Project.ROOT.resolve("deploy/ci/systemd-hosts.sh").toString();
    // The test's own JDK (17, under /usr/lib/jvm) is mounted into every host read-only.
    private static final String JAVA = System.getProperty("java.home") + "/bin/java";

    final String name;

    SystemdHost(String name) throws Exception {
        this(name, null);
    }

    /** A host whose /run/podman is the given engine's socket folder (so its agent sees containers). */
    SystemdHost(String name, TestEngine engine) throws Exception {
        this.name = name;
        List<String> cmd = new ArrayList<>(
                List.of(SCRIPT, "start", name, Project.AGENT_JAR.getParent().toString()));
        if (engine != null) {
            cmd.add(engine.directory().toString());
        }
        run(cmd, 120);
    }

    String machineId() throws Exception {
        return exec("cat", "/etc/machine-id").strip();
    }

    /** Runs a command in the host and returns its output; fails on a non-zero exit. */
    String exec(String... command) throws Exception {
        List<String> full = new ArrayList<>(List.of("podman", "exec", name));
        full.addAll(List.of(command));
        return run(full, 60);
    }

    /** Starts the agent in the host as a process of its own (pid in /run/flotilla-agent.pid). */
    void startAgent(String url, String enrollToken, Map<String, String> env) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("podman", "exec", "-d"));
        cmd.addAll(List.of("-e", "FLOTILLA_URL=" + url, "-e", "FLOTILLA_AGENT_STATE=/var/lib/flotilla-agent"));
        if (enrollToken != null) {
            cmd.addAll(List.of("-e", "FLOTILLA_ENROLL_TOKEN=" + enrollToken));
        }
        env.forEach((k, v) -> cmd.addAll(List.of("-e", k + "=" + v)));
        cmd.addAll(
                List.of(
                        name,
                        "sh",
                        "-c",
                        "echo $$ > /run/flotilla-agent.pid; exec " + JAVA
                                + " -Xmx64m -jar /opt/agent/flotilla-agent.jar --config /dev/null >> /var/log/flotilla-agent.log 2>&1"));
        run(cmd, 60);
    }

    /** Kills the agent with SIGKILL: no goodbye, no flush. */
    void killAgent() throws Exception {
        exec("sh", "-c", "kill -9 $(cat /run/flotilla-agent.pid)");
    }

    String agentLog() throws Exception {
        return exec("cat", "/var/log/flotilla-agent.log");
    }

    @Override
    public void close() throws Exception {
        run(List.of(SCRIPT, "stop", name), 60);
    }

    private static String run(List<String> command, int seconds) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish in " + seconds + " s");
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + out);
        }
        return out;
    }
}
