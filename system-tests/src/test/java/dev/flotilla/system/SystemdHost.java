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
        this(name, engine, null);
    }

    /**
     * A host that also keeps its bus, unit, journal and agent-state folders in {@code share}
     * (systemd-hosts.sh's FLOTILLA_HOST_SHARE), for a container beside it to mount.
     */
    SystemdHost(String name, TestEngine engine, java.nio.file.Path share) throws Exception {
        this.name = name;
        List<String> cmd = new ArrayList<>(
                List.of(SCRIPT, "start", name, Project.AGENT_JAR.getParent().toString()));
        if (engine != null) {
            cmd.add(engine.directory().toString());
        }
        ProcessBuilder builder = new ProcessBuilder(cmd);
        if (share != null) {
            builder.environment().put("FLOTILLA_HOST_SHARE", share.toString());
        }
        run(builder, 120);
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

    /** Writes a file in the host (mode 755 when {@code executable}). */
    void write(String path, String content, boolean executable) throws Exception {
        String b64 =
                java.util.Base64.getEncoder().encodeToString(content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        exec("sh", "-c", "echo " + b64 + " | base64 -d > " + path + (executable ? " && chmod 755 " + path : ""));
    }

    /**
     * Starts the agent as the systemd service {@code fl-agent.service} of the host (so that it can
     * be restarted by systemd, as after a reboot); its output goes to /var/log/flotilla-agent.log.
     */
    void startAgentService(String url, String enrollToken, Map<String, String> env) throws Exception {
        StringBuilder unit = new StringBuilder("[Unit]\nDescription=Flotilla agent\n[Service]\n");
        unit.append("Environment=FLOTILLA_URL=").append(url).append('\n');
        unit.append("Environment=FLOTILLA_AGENT_STATE=/var/lib/flotilla-agent\n");
        if (enrollToken != null) {
            unit.append("Environment=FLOTILLA_ENROLL_TOKEN=")
                    .append(enrollToken)
                    .append('\n');
        }
        env.forEach((k, v) ->
                unit.append("Environment=\"").append(k).append('=').append(v).append("\"\n"));
        unit.append("ExecStart=")
                .append(JAVA)
                .append(" -Xmx64m -jar /opt/agent/flotilla-agent.jar --config /dev/null\n");
        unit.append(
                "StandardOutput=append:/var/log/flotilla-agent.log\nStandardError=append:/var/log/flotilla-agent.log\n");
        write("/etc/systemd/system/fl-agent.service", unit.toString(), false);
        exec("systemctl", "daemon-reload");
        exec("systemctl", "start", "fl-agent.service");
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
        return run(new ProcessBuilder(command), seconds);
    }

    private static String run(ProcessBuilder builder, int seconds) throws Exception {
        List<String> command = builder.command();
        Process p = builder.redirectErrorStream(true).start();
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
