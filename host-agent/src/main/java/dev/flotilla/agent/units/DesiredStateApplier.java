package dev.flotilla.agent.units;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.logging.Logger;

import dev.flotilla.agent.AgentClient;
import dev.flotilla.api.protocol.DesiredState;
import dev.flotilla.api.protocol.DesiredStateResult;
import dev.flotilla.api.protocol.DesiredUnit;
import dev.flotilla.api.protocol.Frame;
import dev.flotilla.api.protocol.FrameCodec;
import dev.flotilla.api.unit.UnitNames;

/**
 * Makes the host match its desired state, through unit files and systemd only: writes the files
 * (under /etc/systemd/system and nowhere else, whatever a name says), removes the ones Flotilla
 * wrote that are no longer wanted, reloads systemd, starts or stops units, and reports, per unit,
 * whether it reached its target and systemd's reason when not. Runs nothing else.
 */
public final class DesiredStateApplier implements AgentClient.DesiredStateHandler {
    private static final Logger LOG = Logger.getLogger(DesiredStateApplier.class.getName());
    static final int MAX_CONTENT = 64 * 1024;

    private final Path directory;
    private final Path stateFile;
    private final SystemdControl systemd;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "desired-state");
        t.setDaemon(true);
        return t;
    });

    public DesiredStateApplier(Path directory, Path stateDir, SystemdControl systemd) {
        this.directory = directory.toAbsolutePath().normalize();
        this.stateFile = stateDir.resolve("desired-state.json");
        this.systemd = systemd;
    }

    /** Applies in the background, one generation after another; the result goes to {@code reply}. */
    @Override
    public void apply(DesiredState desired, Consumer<Frame> reply) {
        worker.execute(() -> {
            try {
                reply.accept(applyNow(desired));
            } catch (RuntimeException e) {
                LOG.warning("applying generation " + desired.generation() + " failed: " + e);
            }
        });
    }

    private static final java.util.regex.Pattern INSTALL_SECTION =
            java.util.regex.Pattern.compile("(?m)^\\s*\\[Install\\]\\s*$");

    DesiredStateResult applyNow(DesiredState desired) {
        List<DesiredStateResult.UnitResult> results = new ArrayList<>();
        Map<String, DesiredUnit> wanted = new LinkedHashMap<>();
        for (DesiredUnit u : desired.units()) {
            Path file = confined(u.name());
            if (file == null) {
                results.add(new DesiredStateResult.UnitResult(u.name(), false, "refused: not a valid unit name"));
            } else if (u.content() == null
                    || u.content().length() > MAX_CONTENT
                    || u.content().indexOf('\0') >= 0) {
                results.add(
                        new DesiredStateResult.UnitResult(u.name(), false, "refused: unit file empty or too large"));
            } else {
                wanted.put(u.name(), u);
            }
        }
        boolean changed = false;
        for (Path file : managedFiles()) {
            String name = file.getFileName().toString();
            if (!wanted.containsKey(name)) {
                systemd.stop(name);
                systemd.disable(name);
                changed |= delete(file);
                LOG.info("removed " + name);
            }
        }
        Set<String> rewritten = new HashSet<>();
        for (DesiredUnit u : wanted.values()) {
            try {
                if (write(confined(u.name()), u.content())) {
                    rewritten.add(u.name());
                    changed = true;
                }
            } catch (IOException e) {
                results.add(new DesiredStateResult.UnitResult(
                        u.name(), false, "cannot write the unit file: " + e.getMessage()));
                wanted.remove(u.name());
            }
        }
        if (changed) {
            systemd.reload();
        }
        for (DesiredUnit u : wanted.values()) {
            // launched: enabled (when the file says how, in [Install]) and started; loaded: neither.
            boolean installable = INSTALL_SECTION.matcher(u.content()).find();
            if (DesiredUnit.LAUNCHED.equals(u.target())) {
                String error = installable ? systemd.enable(u.name()) : null;
                if (error == null) {
                    // A running unit whose file changed runs the old one until restarted.
                    error = rewritten.contains(u.name())
                            ? systemd.restart(u.name(), Duration.ofSeconds(10))
                            : systemd.start(u.name(), Duration.ofSeconds(10));
                }
                results.add(new DesiredStateResult.UnitResult(u.name(), error == null, error));
            } else {
                systemd.stop(u.name());
                if (installable) {
                    systemd.disable(u.name());
                }
                results.add(new DesiredStateResult.UnitResult(u.name(), true, null));
            }
        }
        save(desired);
        LOG.info("applied generation " + desired.generation() + " (" + wanted.size() + " units)");
        return new DesiredStateResult(desired.generation(), results);
    }

    /** The file a unit name stands for, or {@code null} if the name could lead anywhere else. */
    Path confined(String name) {
        if (!UnitNames.isValid(name)) {
            return null;
        }
        Path file = directory.resolve(name).normalize();
        return directory.equals(file.getParent()) ? file : null;
    }

    private List<Path> managedFiles() {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path f : files) {
                if (Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                        && UnitNames.isValid(f.getFileName().toString())
                        && UnitFiles.isManaged(f)) {
                    out.add(f);
                }
            }
        } catch (IOException e) {
            LOG.warning("cannot list " + directory + ": " + e.getMessage());
        }
        return out;
    }

    private static boolean write(Path file, String content) throws IOException {
        String text = UnitFiles.MARKER + "\n" + content + (content.endsWith("\n") ? "" : "\n");
        if (Files.exists(file) && Files.readString(file, StandardCharsets.UTF_8).equals(text)) {
            return false;
        }
        if (Files.exists(file) && !UnitFiles.isManaged(file)) {
            throw new IOException(file + " exists and was not written by Flotilla");
        }
        Path tmp = file.resolveSibling("." + file.getFileName() + ".flotilla-tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return true;
    }

    private static boolean delete(Path file) {
        try {
            return Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warning("cannot remove " + file + ": " + e.getMessage());
            return false;
        }
    }

    private void save(DesiredState desired) {
        try {
            Path tmp = stateFile.resolveSibling(stateFile.getFileName() + ".tmp");
            Files.writeString(tmp, FrameCodec.encode(desired), StandardCharsets.UTF_8);
            Files.move(tmp, stateFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warning("cannot keep the desired state: " + e.getMessage());
        }
    }

    public void close() {
        worker.shutdownNow();
    }
}
