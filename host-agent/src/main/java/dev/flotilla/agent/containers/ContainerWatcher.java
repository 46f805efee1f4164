package dev.flotilla.agent.containers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

import dev.flotilla.api.protocol.ContainerState;

/**
 * Follows the host's containers through the engine's {@code /events} stream: it subscribes first,
 * then lists every container, then takes each event's state (created, running, paused, exited,
 * removed) and inspects the container it names for the details, and reports a change
 * only when the container's state, health, start time, name, image or labels differ from what it
 * reported last (the engine's status text, "Up 5 minutes", changes by itself and is carried along,
 * not reported). No engine on the host is a normal case: said once, then looked for again every
 * 30 seconds, quietly. When the engine goes away and comes back, a full list is compared with what
 * was known, so nothing that happened meanwhile is missed.
 */
public final class ContainerWatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ContainerWatcher.class.getName());
    static final long LOOK_AGAIN_MILLIS = 30_000;
    static final long RECONNECT_MILLIS = 2_000;

    /** What the agent does with what it sees. */
    public interface Listener {
        void containerChanged(ContainerState container);

        void containerRemoved(ContainerState lastKnown);
    }

    private final List<Path> sockets;
    private final Map<String, ContainerState> known = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile Listener listener;
    private volatile boolean connected;
    private volatile boolean closed;
    private volatile ContainerEngine.Events events;

    public ContainerWatcher(List<Path> sockets) {
        this.sockets = List.copyOf(sockets);
        this.thread = new Thread(this::run, "containers");
        this.thread.setDaemon(true);
    }

    public void start(Listener listener) {
        this.listener = listener;
        if (sockets.isEmpty()) {
            LOG.info("container reporting is off (container-socket = none)");
            return;
        }
        thread.start();
    }

    /** The containers as last seen, or null while no engine answers (the service keeps what it has). */
    public List<ContainerState> snapshot() {
        return connected ? List.copyOf(known.values()) : null;
    }

    @Override
    public void close() {
        closed = true;
        ContainerEngine.Events e = events;
        if (e != null) {
            try {
                e.close();
            } catch (IOException ignored) {
                // closing a stream that is going away anyway
            }
        }
        thread.interrupt();
    }

    private void run() {
        boolean saidNone = false;
        String lastProblem = null;
        while (!closed) {
            Optional<Path> socket = sockets.stream().filter(Files::exists).findFirst();
            if (socket.isEmpty()) {
                if (!saidNone) {
                    LOG.info("no container engine at " + sockets + "; containers are not reported until one appears");
                    saidNone = true;
                }
                pause(LOOK_AGAIN_MILLIS);
                continue;
            }
            try (ContainerEngine engine = new ContainerEngine(socket.get())) {
                String version = engine.version();
                try (ContainerEngine.Events stream = engine.events()) {
                    events = stream;
                    resync(engine.list());
                    connected = true;
                    saidNone = false;
                    lastProblem = null;
                    LOG.info("watching " + known.size() + " containers through " + version + " at " + socket.get());
                    while (!closed && stream.hasNext()) {
                        ContainerEngine.Event event = stream.next();
                        if (!event.action().startsWith("exec_")) {
                            refresh(engine, event);
                        }
                    }
                }
                if (!closed) {
                    LOG.warning("the container engine's event stream ended; connecting again");
                }
            } catch (IOException | RuntimeException e) {
                String problem = String.valueOf(e.getMessage());
                if (!closed && !problem.equals(lastProblem)) {
                    LOG.warning("container engine at " + socket.get() + ": " + problem + "; trying again");
                    lastProblem = problem;
                }
            } finally {
                connected = false;
                events = null;
            }
            pause(RECONNECT_MILLIS);
        }
    }

    /**
     * The state comes from the event, the details from inspecting the container: by the time the
     * inspection answers, a container started and stopped at once has moved on, and its history
     * must still say it ran. Events that imply no state change only the details.
     */
    private void refresh(ContainerEngine engine, ContainerEngine.Event event) throws IOException {
        String implied = event.state();
        if ("removed".equals(implied)) {
            ContainerState gone = known.remove(event.id());
            if (gone != null) {
                listener.containerRemoved(gone);
            }
            return;
        }
        Optional<ContainerState> inspected = engine.inspect(event.id());
        ContainerState last = known.get(event.id());
        ContainerState base = inspected.orElse(last);
        if (base == null) {
            if (implied == null || event.name() == null) {
                return; // gone already, and nothing known of it: its remove event follows
            }
            base = new ContainerState(
                    event.id(), event.name(), String.valueOf(event.image()), implied, null, null, null, null, null);
        }
        String state = implied != null ? implied : last != null ? last.state() : base.state();
        String health = event.health() != null ? event.health() : base.health();
        changed(new ContainerState(
                base.id(),
                base.name(),
                base.image(),
                state,
                base.status(),
                health,
                base.createdAt(),
                base.startedAt(),
                base.labels()));
    }

    private void resync(List<ContainerState> all) {
        Set<String> seen = new HashSet<>();
        for (ContainerState c : all) {
            seen.add(c.id());
            changed(c);
        }
        for (String id : new ArrayList<>(known.keySet())) {
            if (!seen.contains(id)) {
                listener.containerRemoved(known.remove(id));
            }
        }
    }

    private void changed(ContainerState now) {
        ContainerState before = known.put(now.id(), now);
        if (before == null || !sameApartFromStatus(before, now)) {
            listener.containerChanged(now);
        }
    }

    static boolean sameApartFromStatus(ContainerState a, ContainerState b) {
        return a.state().equals(b.state())
                && Objects.equals(a.health(), b.health())
                && Objects.equals(a.startedAt(), b.startedAt())
                && a.name().equals(b.name())
                && a.image().equals(b.image())
                && a.labels().equals(b.labels());
    }

    private void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }
}
