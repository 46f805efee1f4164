package dev.flotilla.agent.units;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.exceptions.DBusExecutionException;
import org.freedesktop.dbus.interfaces.Properties;
import org.freedesktop.dbus.types.Variant;

import dev.flotilla.api.protocol.UnitQueryReply;

/**
 * What the agent does to systemd's units: reload, start or restart (waiting until the unit is
 * active or failed), stop, enable, disable, and what {@code systemctl status} shows. The
 * watching is {@link SystemdUnits}'s; both share its D-Bus connection ({@link SystemdUnits#control()}).
 */
public final class SystemdControl {
    private static final Logger LOG = Logger.getLogger(SystemdControl.class.getName());
    private static final long SETTLE_NANOS = 1_000_000_000L;

    private final DBusConnection bus;
    private final SystemdBus.Manager manager;

    SystemdControl(DBusConnection bus, SystemdBus.Manager manager) {
        this.bus = bus;
        this.manager = manager;
    }

    /** {@code systemctl daemon-reload}: systemd reads unit files again. */
    public void reload() {
        manager.Reload();
    }

    /**
     * Starts a unit and waits until it is active or has failed.
     *
     * @return {@code null} when active, else systemd's reason
     */
    public String start(String name, Duration wait) {
        return startOrRestart(name, false, wait);
    }

    /**
     * Restarts the unit (starts it if it does not run), as after its file changed, and waits as
     * {@link #start} does.
     */
    public String restart(String name, Duration wait) {
        return startOrRestart(name, true, wait);
    }

    private String startOrRestart(String name, boolean restart, Duration wait) {
        try {
            if (restart) {
                manager.RestartUnit(name, "replace");
            } else {
                manager.StartUnit(name, "replace");
            }
        } catch (DBusExecutionException e) {
            return "systemd refused to " + (restart ? "restart" : "start") + " it: " + e.getMessage();
        }
        long deadline = System.nanoTime() + wait.toNanos();
        long activeSince = 0;
        String last = "unknown";
        while (System.nanoTime() < deadline) {
            try {
                Properties props = bus.getRemoteObject(
                        SystemdBus.SERVICE, manager.GetUnit(name).getPath(), Properties.class);
                Map<String, Variant<?>> all = props.GetAll(SystemdBus.UNIT_INTERFACE);
                String active = SystemdBus.string(all, "ActiveState");
                last = active + "/" + SystemdBus.string(all, "SubState");
                if ("active".equals(active)) {
                    // A simple service is "active" as soon as it is forked, before its program has
                    // even been found: it must stay active a moment to count as started.
                    if (activeSince == 0) {
                        activeSince = System.nanoTime();
                    } else if (System.nanoTime() - activeSince > SETTLE_NANOS) {
                        return null;
                    }
                } else {
                    activeSince = 0;
                }
                if ("failed".equals(active)) {
                    Map<String, Variant<?>> service =
                            name.endsWith(".service") ? props.GetAll("org.freedesktop.systemd1.Service") : Map.of();
                    String result = SystemdBus.string(service, "Result");
                    return "failed" + (result == null ? "" : " (Result=" + result + ")");
                }
            } catch (DBusException | DBusExecutionException e) {
                last = e.getMessage();
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
        }
        return "not active after " + wait.toSeconds() + " s (" + last + ")";
    }

    /** What {@code systemctl status} shows of a loaded unit, or {@code null} if systemd does not have it. */
    public UnitQueryReply.UnitStatus status(String name) {
        try {
            String path = manager.GetUnit(name).getPath();
            Properties props = bus.getRemoteObject(SystemdBus.SERVICE, path, Properties.class);
            Map<String, Variant<?>> unit = props.GetAll(SystemdBus.UNIT_INTERFACE);
            Map<String, Variant<?>> service =
                    name.endsWith(".service") ? props.GetAll("org.freedesktop.systemd1.Service") : Map.of();
            return new UnitQueryReply.UnitStatus(
                    name,
                    SystemdBus.string(unit, "Description"),
                    SystemdBus.string(unit, "LoadState"),
                    SystemdBus.string(unit, "ActiveState"),
                    SystemdBus.string(unit, "SubState"),
                    SystemdBus.string(unit, "FragmentPath"),
                    SystemdBus.timestamp(unit.get("StateChangeTimestamp")),
                    number(service.get("MainPID")),
                    SystemdBus.string(service, "Result"),
                    number(service.get("TasksCurrent")),
                    number(service.get("MemoryCurrent")));
        } catch (DBusException | DBusExecutionException e) {
            return null;
        }
    }

    private static Long number(Variant<?> v) {
        if (v == null || !(v.getValue() instanceof Number n)) {
            return null;
        }
        long value = n.longValue();
        return value == -1L ? null : value; // systemd's "unset" is UINT64_MAX
    }

    /**
     * Enables a unit (its [Install] section's links), so that it starts at boot before the agent
     * is back.
     *
     * @return null when done, else systemd's reason
     */
    public String enable(String name) {
        try {
            manager.EnableUnitFiles(List.of(name), false, true);
            return null;
        } catch (DBusExecutionException e) {
            return "systemd refused to enable it: " + e.getMessage();
        }
    }

    /** Disables a unit (removes its [Install] links); quietly does nothing if it was not enabled. */
    public void disable(String name) {
        try {
            manager.DisableUnitFiles(List.of(name), false);
        } catch (DBusExecutionException e) {
            LOG.fine("disable " + name + ": " + e.getMessage());
        }
    }

    /** Stops a unit if systemd has it; a unit it does not know is stopped already. */
    public void stop(String name) {
        try {
            manager.StopUnit(name, "replace");
        } catch (DBusExecutionException e) {
            LOG.fine("stop " + name + ": " + e.getMessage());
        }
    }
}
