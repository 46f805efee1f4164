package dev.flotilla.agent.units;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.exceptions.DBusExecutionException;
import org.freedesktop.dbus.interfaces.Properties;
import org.freedesktop.dbus.types.Variant;

import dev.flotilla.api.protocol.UnitState;
import dev.flotilla.api.unit.UnitNames;

/**
 * Watches systemd's units over D-Bus without polling. Each unit's {@code PropertiesChanged}
 * signal carries its new LOAD/ACTIVE/SUB states, applied in the order systemd sent them (one
 * signal thread), so every transition is seen even when a unit is stopped and unloaded at once.
 * {@code UnitNew} and {@code Reloading} trigger, 50 ms later, one {@code ListUnits} call that
 * finds new units and changed unit files; {@code UnitRemoved} ends a unit. Units are never asked
 * for their properties by object path unless {@code GetUnit} confirms systemd has them loaded:
 * such a question makes systemd load the unit, and an inactive unit would then be collected and
 * reloaded over and over. What the agent does to units is {@link SystemdControl}'s, on the same
 * connection.
 */
public final class SystemdUnits implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SystemdUnits.class.getName());
    private static final long DEBOUNCE_MILLIS = 50;
    private static final String SYSTEM_BUS_SOCKET = "/var/run/dbus/system_bus_socket";

    /** What the agent does with what it sees. */
    public interface Listener {
        void changed(UnitState unit);

        void removed(UnitState lastKnown);
    }

    private final DBusConnection bus;
    private final SystemdBus.Manager manager;
    private final List<PathMatcher> reported;
    private final Map<String, UnitState> known = new ConcurrentHashMap<>();
    private final Map<String, String> fragments = new ConcurrentHashMap<>();
    /** D-Bus object path → unit name, for the units we report. */
    private final Map<String, String> names = new ConcurrentHashMap<>();

    private final Map<String, String> hashes = new ConcurrentHashMap<>();
    /** systemd's StateChangeTimestamp per unit, as last read or signalled (systemd's clock only). */
    private final Map<String, Instant> stamps = new ConcurrentHashMap<>();

    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "systemd-units");
        t.setDaemon(true);
        return t;
    });
    private final SystemdControl control;
    private volatile Listener listener;
    private boolean reloading; // touched by the worker thread only

    private SystemdUnits(DBusConnection bus, List<String> patterns) throws DBusException {
        this.bus = bus;
        this.manager = bus.getRemoteObject(SystemdBus.SERVICE, SystemdBus.MANAGER_PATH, SystemdBus.Manager.class);
        this.control = new SystemdControl(bus, manager);
        this.reported = patterns.stream()
                .map(p -> FileSystems.getDefault().getPathMatcher("glob:" + p))
                .toList();
    }

    /**
     * Connects to systemd on the system bus.
     *
     * @param patterns globs of the unit names to report, e.g. {@code *.service}
     * @throws DBusException when there is no system bus or no systemd on it
     */
    public static SystemdUnits connect(List<String> patterns) throws DBusException {
        // Without a system bus, dbus-java spends seconds retrying before it gives up: say so at once.
        if (System.getenv("DBUS_SYSTEM_BUS_ADDRESS") == null && !Files.exists(Path.of(SYSTEM_BUS_SOCKET))) {
            throw new DBusException("no system bus at " + SYSTEM_BUS_SOCKET);
        }
        // One signal thread: systemd's signals are handled in the order it sent them.
        DBusConnection bus = DBusConnectionBuilder.forSystemBus()
                .receivingThreadConfig()
                .withSignalThreadCount(1)
                .connectionConfig()
                .build();
        try {
            return new SystemdUnits(bus, patterns);
        } catch (DBusException | RuntimeException e) {
            bus.disconnect();
            throw e;
        }
    }

    /** Subscribes to systemd's signals, reads every unit once, and returns them. */
    public List<UnitState> start(Listener listener) throws DBusException {
        bus.addSigHandler(Properties.PropertiesChanged.class, signal -> {
            if (signal.getPath().startsWith(SystemdBus.UNIT_PATH_PREFIX)
                    && SystemdBus.UNIT_INTERFACE.equals(signal.getInterfaceName())) {
                Map<String, Variant<?>> changed = signal.getPropertiesChanged();
                String path = signal.getPath();
                worker.execute(() -> apply(path, changed));
            }
        });
        bus.addSigHandler(SystemdBus.Manager.UnitNew.class, signal -> {
            String id = signal.id;
            if (isReported(id) && !known.containsKey(id)) {
                soon(false);
            }
        });
        bus.addSigHandler(SystemdBus.Manager.UnitRemoved.class, signal -> {
            String id = signal.id;
            worker.execute(() -> {
                // A reload drops and recreates every unit: the rescan after it finds what really went.
                if (!reloading) {
                    gone(id);
                }
            });
        });
        bus.addSigHandler(SystemdBus.Manager.Reloading.class, signal -> {
            boolean active = signal.active;
            // While systemd reloads, units pass through passing states it will undo: ignore them,
            // then list everything once, hashing unit files again since they may have changed.
            worker.execute(() -> reloading = active);
            if (!active) {
                soon(true);
            }
        });
        manager.Subscribe();
        try {
            worker.submit(() -> rescan(false)).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new DBusException("reading the units failed: " + e.getMessage());
        }
        this.listener = listener;
        return snapshot();
    }

    /** What the agent does to units (start, stop, enable, status…), over this watcher's connection. */
    public SystemdControl control() {
        return control;
    }

    /** The reported units as last seen. */
    public List<UnitState> snapshot() {
        return new ArrayList<>(known.values());
    }

    @Override
    public void close() {
        worker.shutdownNow();
        bus.disconnect();
    }

    private void soon(boolean rehash) {
        if (rehash) {
            hashes.clear();
        }
        if (scheduled.compareAndSet(false, true)) {
            worker.schedule(
                    () -> {
                        scheduled.set(false);
                        rescan(rehash);
                    },
                    DEBOUNCE_MILLIS,
                    TimeUnit.MILLISECONDS);
        }
    }

    private void rescan(boolean rehash) {
        List<SystemdBus.UnitInfo> units;
        try {
            units = manager.ListUnits();
        } catch (RuntimeException e) {
            LOG.warning("ListUnits failed: " + e.getMessage());
            return;
        }
        Map<String, SystemdBus.UnitInfo> now = new HashMap<>();
        for (SystemdBus.UnitInfo u : units) {
            if (isReported(u.name) && (!"not-found".equals(u.load) || known.containsKey(u.name))) {
                now.put(u.name, u);
            }
        }
        for (SystemdBus.UnitInfo u : now.values()) {
            names.put(u.path.getPath(), u.name);
            UnitState before = known.get(u.name);
            boolean stateChanged = before == null
                    || !Objects.equals(before.load(), u.load)
                    || !Objects.equals(before.active(), u.active)
                    || !Objects.equals(before.sub(), u.sub);
            if (!rehash && (!stateChanged || before != null)) {
                // A unit we follow changes through its own signals, applied in order; those sent
                // before this ListUnits are still queued behind it, and reporting the listed
                // state now would put a later state before earlier ones. Only after a reload
                // (when signals were ignored) does the list speak for units we know.
                continue;
            }
            UnitState after = describe(u, before);
            stateChanged = before == null
                    || !Objects.equals(before.load(), after.load())
                    || !Objects.equals(before.active(), after.active())
                    || !Objects.equals(before.sub(), after.sub());
            if (stateChanged || !Objects.equals(before.hash(), after.hash())) {
                known.put(u.name, after);
                notifyChanged(after);
            }
        }
        for (String name : new ArrayList<>(known.keySet())) {
            if (!now.containsKey(name)) {
                gone(name);
            }
        }
    }

    /** A unit's own signal says what changed: no question asked of systemd, nothing missed. */
    private void apply(String path, Map<String, Variant<?>> changed) {
        if (reloading) {
            return;
        }
        String name = names.get(path);
        UnitState before = name == null ? null : known.get(name);
        if (before == null) {
            return; // not a reported unit, or not listed yet: the next rescan sees it
        }
        Instant at = changed.containsKey("StateChangeTimestamp")
                ? SystemdBus.timestamp(changed.get("StateChangeTimestamp"))
                : null;
        if (at != null) {
            Instant seen = stamps.get(name);
            if (seen != null && at.isBefore(seen)) {
                // Sent before a rescan read this unit, handled after it: the rescan has newer.
                return;
            }
            stamps.put(name, at);
        }
        String load = changed.containsKey("LoadState") ? SystemdBus.string(changed, "LoadState") : before.load();
        String active =
                changed.containsKey("ActiveState") ? SystemdBus.string(changed, "ActiveState") : before.active();
        String sub = changed.containsKey("SubState") ? SystemdBus.string(changed, "SubState") : before.sub();
        if (Objects.equals(load, before.load())
                && Objects.equals(active, before.active())
                && Objects.equals(sub, before.sub())) {
            return;
        }
        UnitState after = new UnitState(
                name,
                load,
                active,
                sub,
                before.description(),
                at != null ? at : Instant.now(),
                before.hash(),
                before.managed());
        known.put(name, after);
        notifyChanged(after);
    }

    private void gone(String name) {
        UnitState last = known.remove(name);
        if (last == null) {
            return;
        }
        names.values().remove(name);
        fragments.remove(name);
        stamps.remove(name);
        Listener l = listener;
        if (l != null) {
            l.removed(last);
        }
    }

    private void notifyChanged(UnitState unit) {
        Listener l = listener;
        if (l != null) {
            l.changed(unit);
        }
    }

    /** The unit's state with its details, read only if systemd still has it loaded. */
    private UnitState describe(SystemdBus.UnitInfo u, UnitState before) {
        Instant changedAt = null;
        String load = u.load;
        String active = u.active;
        String sub = u.sub;
        String fragment = fragments.get(u.name);
        try {
            manager.GetUnit(u.name); // throws NoSuchUnit rather than loading it
            Properties props = bus.getRemoteObject(SystemdBus.SERVICE, u.path.getPath(), Properties.class);
            Map<String, Variant<?>> all = props.GetAll(SystemdBus.UNIT_INTERFACE);
            changedAt = SystemdBus.timestamp(all.get("StateChangeTimestamp"));
            if (changedAt != null) {
                stamps.put(u.name, changedAt);
            }
            // The states read together with their time, so that signals older than this read
            // (still queued behind it) can be told apart and skipped in apply().
            load = all.containsKey("LoadState") ? SystemdBus.string(all, "LoadState") : load;
            active = all.containsKey("ActiveState") ? SystemdBus.string(all, "ActiveState") : active;
            sub = all.containsKey("SubState") ? SystemdBus.string(all, "SubState") : sub;
            fragment = SystemdBus.string(all, "FragmentPath");
            if (fragment != null) {
                fragments.put(u.name, fragment);
            }
        } catch (DBusException | DBusExecutionException e) {
            LOG.fine(u.name + " went away while being read: " + e.getMessage());
            if (before != null) {
                changedAt = before.changedAt();
            }
        }
        String hash = hash(fragment);
        boolean managed = fragment != null
                && fragment.startsWith(UnitFiles.DIRECTORY + "/")
                && UnitFiles.isManaged(Path.of(fragment));
        return new UnitState(u.name, load, active, sub, u.description, changedAt, hash, managed);
    }

    /** Matches the configured globs, or is a unit Flotilla wrote (those are always reported). */
    private boolean isReported(String name) {
        if (!UnitNames.isValid(name)) {
            return false;
        }
        Path p = Path.of(name);
        if (reported.stream().anyMatch(m -> m.matches(p))) {
            return true;
        }
        Path file = Path.of(UnitFiles.DIRECTORY, name);
        return Files.isRegularFile(file) && UnitFiles.isManaged(file);
    }

    private String hash(String fragment) {
        if (fragment == null || fragment.isEmpty()) {
            return null;
        }
        try {
            Path file = Path.of(fragment);
            String key = fragment + "@" + Files.getLastModifiedTime(file).toMillis();
            return hashes.computeIfAbsent(key, k -> sha1(file));
        } catch (IOException e) {
            return null;
        }
    }

    private static String sha1(Path file) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(Files.readAllBytes(file)));
        } catch (IOException | NoSuchAlgorithmException e) {
            return null;
        }
    }
}
