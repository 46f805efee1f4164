package dev.flotilla.agent.units;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.freedesktop.dbus.DBusPath;
import org.freedesktop.dbus.Struct;
import org.freedesktop.dbus.Tuple;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.annotations.Position;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.messages.DBusSignal;
import org.freedesktop.dbus.types.UInt32;
import org.freedesktop.dbus.types.UInt64;
import org.freedesktop.dbus.types.Variant;

/** The parts of systemd's D-Bus API (org.freedesktop.systemd1) the agent uses. */
final class SystemdBus {
    static final String SERVICE = "org.freedesktop.systemd1";
    static final String MANAGER_PATH = "/org/freedesktop/systemd1";
    static final String UNIT_INTERFACE = "org.freedesktop.systemd1.Unit";
    static final String UNIT_PATH_PREFIX = "/org/freedesktop/systemd1/unit/";

    private SystemdBus() {}

    @DBusInterfaceName("org.freedesktop.systemd1.Manager")
    interface Manager extends DBusInterface {
        List<UnitInfo> ListUnits();

        void Subscribe();

        DBusPath GetUnit(String name);

        void Reload();

        DBusPath StartUnit(String name, String mode);

        /** Stops the unit if it runs, then starts it (starts it if it does not run). */
        DBusPath RestartUnit(String name, String mode);

        DBusPath StopUnit(String name, String mode);

        /** Links a unit file into the targets its [Install] section names (as systemctl enable). */
        EnableResult EnableUnitFiles(List<String> files, boolean runtime, boolean force);

        /** Removes those links (as systemctl disable). */
        List<FileChange> DisableUnitFiles(List<String> files, boolean runtime);

        /** systemd's UnitNew signal. */
        class UnitNew extends DBusSignal {
            final String id;
            final DBusPath unit;

            public UnitNew(String path, String id, DBusPath unit) throws DBusException {
                super(path, id, unit);
                this.id = id;
                this.unit = unit;
            }
        }

        /** systemd's Reloading signal: {@code active} true when a daemon-reload starts, false when done. */
        class Reloading extends DBusSignal {
            final boolean active;

            public Reloading(String path, boolean active) throws DBusException {
                super(path, active);
                this.active = active;
            }
        }

        /** systemd's UnitRemoved signal. */
        class UnitRemoved extends DBusSignal {
            final String id;
            final DBusPath unit;

            public UnitRemoved(String path, String id, DBusPath unit) throws DBusException {
                super(path, id, unit);
                this.id = id;
                this.unit = unit;
            }
        }
    }

    /** One row of ListUnits: (ssssssouso). */
    public static final class UnitInfo extends Struct {
        @Position(0)
        public final String name;

        @Position(1)
        public final String description;

        @Position(2)
        public final String load;

        @Position(3)
        public final String active;

        @Position(4)
        public final String sub;

        @Position(5)
        public final String following;

        @Position(6)
        public final DBusPath path;

        @Position(7)
        public final UInt32 jobId;

        @Position(8)
        public final String jobType;

        @Position(9)
        public final DBusPath jobPath;

        public UnitInfo(
                String name,
                String description,
                String load,
                String active,
                String sub,
                String following,
                DBusPath path,
                UInt32 jobId,
                String jobType,
                DBusPath jobPath) {
            this.name = name;
            this.description = description;
            this.load = load;
            this.active = active;
            this.sub = sub;
            this.following = following;
            this.path = path;
            this.jobId = jobId;
            this.jobType = jobType;
            this.jobPath = jobPath;
        }
    }

    /** EnableUnitFiles' two out arguments. */
    public static final class EnableResult extends Tuple {
        @Position(0)
        public final boolean carriesInstallInfo;

        @Position(1)
        public final List<FileChange> changes;

        public EnableResult(boolean carriesInstallInfo, List<FileChange> changes) {
            this.carriesInstallInfo = carriesInstallInfo;
            this.changes = changes;
        }
    }

    /** One symlink systemd made or removed: (type, file, destination). */
    public static final class FileChange extends Struct {
        @Position(0)
        public final String type;

        @Position(1)
        public final String file;

        @Position(2)
        public final String destination;

        public FileChange(String type, String file, String destination) {
            this.type = type;
            this.file = file;
            this.destination = destination;
        }
    }

    /** A property as text (null when absent). */
    static String string(Map<String, Variant<?>> all, String key) {
        Variant<?> v = all.get(key);
        return v == null || v.getValue() == null ? null : v.getValue().toString();
    }

    /** systemd's microseconds since the epoch as an instant (null when unset). */
    static Instant timestamp(Variant<?> v) {
        if (v == null || !(v.getValue() instanceof UInt64 micros) || micros.longValue() == 0) {
            return null;
        }
        long us = micros.longValue();
        return Instant.ofEpochSecond(us / 1_000_000, (us % 1_000_000) * 1000);
    }
}
