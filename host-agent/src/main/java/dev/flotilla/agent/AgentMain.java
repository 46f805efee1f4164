package dev.flotilla.agent;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import org.freedesktop.dbus.exceptions.DBusException;

import dev.flotilla.agent.containers.ContainerWatcher;
import dev.flotilla.agent.units.DesiredStateApplier;
import dev.flotilla.agent.units.SystemdUnits;
import dev.flotilla.agent.units.UnitFiles;
import dev.flotilla.agent.units.UnitInspector;
import dev.flotilla.agent.updates.UpdateManager;
import dev.flotilla.agent.updates.UpdateSettings;
import dev.flotilla.api.protocol.Hello;
import dev.flotilla.api.protocol.Protocol;

/** {@code flotilla-agent [--config FILE]} or {@code flotilla-agent enroll ...}: the Flotilla host agent. */
public final class AgentMain {
    private static final Logger LOG = Logger.getLogger("dev.flotilla.agent");

    private AgentMain() {}

    public static void main(String[] args) {
        setUpLogging();
        if (args.length > 0 && args[0].equals("enroll")) {
            System.exit(Enroll.run(List.of(args).subList(1, args.length), System.getenv(), System.out, System.err));
        }
        Path config = AgentSettings.DEFAULT_CONFIG;
        Map<String, String> env = new HashMap<>(System.getenv());
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-h", "--help" -> {
                    System.out.println(HELP);
                    return;
                }
                case "--version" -> {
                    System.out.println("flotilla-agent " + version());
                    return;
                }
                case "--config" -> {
                    if (i + 1 >= args.length) {
                        fail(64, "--config needs a file");
                    }
                    config = Path.of(args[++i]);
                }
                case "--insecure" -> env.put("FLOTILLA_INSECURE", "1");
                default -> fail(64, "unknown argument '" + args[i] + "' (see --help)");
            }
        }
        System.exit(run(config, env));
    }

    static int run(Path config, Map<String, String> env) {
        AgentSettings settings;
        UpdateSettings updateSettings;
        String machineId;
        Credentials.Stored credential;
        try {
            settings = AgentSettings.load(config, env);
            updateSettings = UpdateSettings.load(config, env);
            if (settings.url().getScheme().equals("http")
                    && !AgentSettings.isLoopback(settings.url().getHost())) {
                LOG.warning("--insecure: talking to " + settings.url() + " unencrypted");
            }
            machineId = HostFacts.machineId(settings.machineIdFile());
            credential = Credentials.load(settings.stateDir()).orElse(null);
            if (credential != null && !credential.machineId().equals(machineId)) {
                LOG.severe("the state folder " + settings.stateDir() + " belongs to machine " + credential.machineId()
                        + ", not to this host (" + machineId + "); use another state folder");
                return 78;
            }
            if (credential == null) {
                credential = Credentials.enroll(settings, machineId, HostFacts.hostname());
                LOG.info("enrolled as machine " + machineId + "; credential kept in " + settings.stateDir());
            }
        } catch (IllegalArgumentException | Credentials.EnrollmentRefused e) {
            LOG.severe(e.getMessage());
            return 78;
        } catch (IOException e) {
            LOG.severe("cannot start: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return 1;
        }
        AgentSettings s = settings;
        String id = machineId;
        StateJournal journal =
                new StateJournal(settings.stateDir(), settings.journalMaxEntries(), settings.journalMaxBytes());
        ContainerWatcher containers = new ContainerWatcher(settings.containerSockets());
        SystemdUnits systemd = null;
        try {
            systemd = SystemdUnits.connect(settings.reportUnits());
        } catch (DBusException | RuntimeException e) {
            // A host without systemd (or without a system bus) is still a host: report it without units.
            LOG.warning("no systemd on the system bus (" + e.getMessage() + "); units are not reported");
        }
        SystemdUnits observed = systemd;
        StateReporter reporter = new StateReporter(
                journal, () -> observed == null ? List.of() : observed.snapshot(), containers::snapshot);
        if (systemd != null) {
            try {
                int count = systemd.start(reporter).size();
                LOG.info("watching " + count + " systemd units (" + String.join(",", settings.reportUnits()) + ")");
            } catch (DBusException | RuntimeException e) {
                LOG.warning("cannot follow systemd's units (" + e.getMessage() + "); units are not reported");
                systemd.close();
                systemd = null;
            }
        }
        containers.start(reporter);
        UpdateManager[] updates = new UpdateManager[1];
        AgentClient.Listener updateEvents = new AgentClient.Listener() {
            @Override
            public void welcomed(dev.flotilla.api.protocol.Welcome welcome) {
                updates[0].welcomed();
            }

            @Override
            public void leaseReply(dev.flotilla.api.protocol.LeaseReply reply) {
                updates[0].leaseReply(reply);
            }
        };
        AgentClient client = new AgentClient(
                AgentClient.Runtime.dedicated(settings),
                settings,
                credential,
                () -> new Hello(Protocol.VERSION, id, HostFacts.hostname(), HostFacts.collect(), s.labels(), version()),
                HostFacts::collect,
                reporter,
                systemd == null
                        ? null
                        : new DesiredStateApplier(Path.of(UnitFiles.DIRECTORY), settings.stateDir(), systemd.control()),
                new UnitInspector(systemd == null ? null : systemd.control()),
                updateEvents);
        updates[0] = new UpdateManager(updateSettings, settings.stateDir(), client::send);
        updates[0].start();
        Runtime.getRuntime().addShutdownHook(new Thread(client::stop, "agent-stop"));
        int code = client.start().join();
        updates[0].close();
        containers.close();
        if (systemd != null) {
            systemd.close();
        }
        journal.close();
        return code;
    }

    static String version() {
        String v = AgentMain.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    private static void fail(int code, String message) {
        System.err.println("flotilla-agent: " + message);
        System.exit(code);
    }

    private static void setUpLogging() {
        Logger root = Logger.getLogger("");
        for (var h : root.getHandlers()) {
            root.removeHandler(h);
        }
        ConsoleHandler handler = new ConsoleHandler();
        handler.setFormatter(new SimpleFormatter() {
            @Override
            public synchronized String format(LogRecord r) {
                return String.format(
                        "%1$tT %2$-7s %3$s%n", r.getMillis(), r.getLevel().getName(), formatMessage(r));
            }
        });
        root.addHandler(handler);
        root.setLevel(Level.INFO);
    }

    private static final String HELP = """
            Usage: flotilla-agent [--config FILE] [--insecure]
                   flotilla-agent enroll --url URL --token TOKEN [--labels K=V,...]  (see enroll --help)
            (or java -jar flotilla-agent.jar ... where the agent is a plain jar)

            The Flotilla host agent: reports this host to a Flotilla service over one WebSocket.

            Options:
              --config FILE   configuration file (default /etc/flotilla/agent.conf; may be absent)
              --insecure      allow a plain http:// service URL other than loopback (labs only)
              --version       print the version
              -h, --help      print this help

            Settings (file key, or environment variable, which wins):
              url              FLOTILLA_URL              the service, e.g. https://fleet.example.com
              enroll-token     FLOTILLA_ENROLL_TOKEN     needed for the first start only
              state-dir        FLOTILLA_AGENT_STATE      default /var/lib/flotilla-agent
              labels           FLOTILLA_LABELS           k=v,k2=v2
              machine-id-file  FLOTILLA_MACHINE_ID_FILE  default /etc/machine-id
              report-units     FLOTILLA_REPORT_UNITS     globs of unit names to report
                                                         (default *.service,*.timer,*.socket,*.mount)
              journal-max-entries FLOTILLA_JOURNAL_MAX_ENTRIES  transitions kept while the service
                                                         is away (default 10000; then the oldest
                                                         are folded into a counted gap)
              journal-max-bytes   FLOTILLA_JOURNAL_MAX_BYTES    the same, in bytes (default 8 MiB)
              insecure         FLOTILLA_INSECURE         1: as --insecure
              ca-file          FLOTILLA_CA_FILE          PEM file of the CAs to trust instead of the
                                                         system's (a private CA)
              pin              FLOTILLA_PIN              sha256/BASE64: only a chain holding this
                                                         public key (the service's or its CA's)

            Updates (off unless updates = on): the agent checks for pending updates, asks the
            service for a lease (granted inside the policy's windows and limits), applies them,
            reboots when the host needs it, and reports steady state after the reboot.
              updates          FLOTILLA_UPDATES          on or off (default off)
              update-check     FLOTILLA_UPDATE_CHECK     shell command printing one line per pending
                                                         update ("security" in a line counts it as one;
                                                         "target-version: X" names the target)
                                                         (default: apt-get -s upgrade, or dnf check-update)
              update-apply     FLOTILLA_UPDATE_APPLY     shell command applying them
                                                         (default: apt-get -y upgrade, or dnf -y upgrade)
              update-reboot    FLOTILLA_UPDATE_REBOOT    how to reboot (default systemctl reboot), run when
                                                         /run/reboot-required exists or the apply command
                                                         exits with update-reboot-exit-code (default 100)
              update-interval  FLOTILLA_UPDATE_INTERVAL  how often to check, ISO-8601 (default PT1H)
              update-timeout   FLOTILLA_UPDATE_TIMEOUT   limit of the apply command (default PT1H)

            Exit status: 0 stopped, 1 cannot start, 64 bad arguments,
                         78 configuration or credential refused (re-enroll; not retried by systemd).
            """;
}
