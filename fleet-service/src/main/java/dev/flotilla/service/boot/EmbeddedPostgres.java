package dev.flotilla.service.boot;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.jboss.logging.Logger;

import dev.flotilla.service.common.SecretFiles;

/**
 * A PostgreSQL server of our own, from zonky's binaries on the classpath, in a data folder.
 *
 * <p>PostgreSQL refuses to run as root. When we are root, every server process is started through
 * {@code setpriv} as an unprivileged user (default {@code nobody}, or {@code FLOTILLA_PG_USER}),
 * who owns the data folder. If a parent folder is closed to that user (say the checkout lives in
 * {@code /root}), the server's files go to {@code /var/lib/flotilla-embedded/<digest>} instead,
 * rather than our changing the permissions of folders not ours.
 *
 * <p>The server listens on 127.0.0.1 only, on a free port chosen at each start, with password
 * authentication; the password is generated once and kept beside the data folder (mode 0600).
 */
public final class EmbeddedPostgres implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EmbeddedPostgres.class);
    private static final String USER = "flotilla";
    private static final String DATABASE = "flotilla";

    private final Path binaries;
    private final Path dataDir;
    private final RunAs asUser;
    private final int port;
    private final String password;

    private EmbeddedPostgres(Path binaries, Path dataDir, RunAs asUser, int port, String password) {
        this.binaries = binaries;
        this.dataDir = dataDir;
        this.asUser = asUser;
        this.port = port;
        this.password = password;
    }

    /** Unpacks the binaries if needed, creates the cluster on first use, and starts the server. */
    public static EmbeddedPostgres start(Path dataDir) {
        try {
            Path dir = dataDir.toAbsolutePath().normalize();
            Path home = dir.getParent();
            Files.createDirectories(home);
            if (RunAs.needed() && !traversableByOthers(home)) {
                // The unprivileged server could not reach a folder under, say, /root: keep its files
                // where it can, one folder per data folder asked for.
                Path moved = Path.of("/var/lib/flotilla-embedded", digest(home.toString()));
                LOG.warnf("%s is closed to the unprivileged PostgreSQL user; its data goes to %s instead", home, moved);
                home = moved;
                dir = moved.resolve(dir.getFileName());
                Files.createDirectories(home);
                Files.setPosixFilePermissions(home.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            Path binaries = unpackBinaries(home);
            RunAs asUser = RunAs.forServer(home);
            String password = password(home.resolve("postgres.password"));
            if (!Files.exists(dir.resolve("PG_VERSION"))) {
                initdb(binaries, dir, asUser, password);
            }
            if (Files.exists(dir.resolve("postmaster.pid"))) {
                // A server left behind by a process that was killed: stop it, then start ours.
                run(asUser, List.of(bin(binaries, "pg_ctl"), "-D", dir.toString(), "-m", "fast", "-w", "stop"), true);
            }
            int port = freePort();
            Path log = home.resolve("postgres.log");
            if (asUser.dropsPrivileges()) {
                Files.deleteIfExists(log);
                Files.createFile(log);
                asUser.chown(log);
            }
            run(
                    asUser,
                    List.of(
                            bin(binaries, "pg_ctl"),
                            "-D",
                            dir.toString(),
                            "-l",
                            log.toString(),
                            "-o",
                            "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=''",
                            "-w",
                            "-t",
                            "60",
                            "start"),
                    false);
            EmbeddedPostgres pg = new EmbeddedPostgres(binaries, dir, asUser, port, password);
            pg.createDatabase();
            LOG.infof("Embedded PostgreSQL running on 127.0.0.1:%d with its data in %s", port, dir);
            return pg;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded PostgreSQL: " + e.getMessage(), e);
        }
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    public String user() {
        return USER;
    }

    public String password() {
        return password;
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        try {
            run(asUser, List.of(bin(binaries, "pg_ctl"), "-D", dataDir.toString(), "-m", "fast", "-w", "stop"), true);
            LOG.info("Embedded PostgreSQL stopped");
        } catch (IOException | RuntimeException e) {
            LOG.warnf("Embedded PostgreSQL did not stop cleanly: %s", e.getMessage());
        }
    }

    private void createDatabase() {
        String admin = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
        try (Connection c = DriverManager.getConnection(admin, USER, password);
                Statement s = c.createStatement()) {
            var rs = s.executeQuery("select 1 from pg_database where datname = '" + DATABASE + "'");
            if (!rs.next()) {
                s.execute("create database " + DATABASE);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("embedded PostgreSQL started but cannot be used: " + e.getMessage(), e);
        }
    }

    private static void initdb(Path binaries, Path dir, RunAs asUser, String password) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Path pwfile = dir.getParent().resolve("postgres.pwfile");
        SecretFiles.write(pwfile, password + "\n");
        try {
            if (asUser.dropsPrivileges()) {
                asUser.chown(dir);
                asUser.chown(pwfile);
            }
            run(
                    asUser,
                    List.of(
                            bin(binaries, "initdb"),
                            "-D",
                            dir.toString(),
                            "-U",
                            USER,
                            "--pwfile=" + pwfile,
                            "-A",
                            "scram-sha-256",
                            "-E",
                            "UTF8",
                            "--locale=C"),
                    false);
        } finally {
            Files.deleteIfExists(pwfile);
        }
    }

    private static String password(Path file) throws IOException {
        if (Files.exists(file)) {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        }
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        String password = HexFormat.of().formatHex(bytes);
        SecretFiles.write(file, password);
        return password;
    }

    private static Path unpackBinaries(Path home) throws IOException {
        String arch = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "arm_64";
            default -> System.getProperty("os.arch");
        };
        String resource = "postgres-linux-" + arch + ".txz";
        URL url = EmbeddedPostgres.class.getClassLoader().getResource(resource);
        if (url == null) {
            throw new IOException("no embedded PostgreSQL for " + arch + " (" + resource
                    + " is not on the classpath): set FLOTILLA_DB_URL to use an external PostgreSQL");
        }
        // One folder per binaries jar (its name carries the PostgreSQL version).
        String jar = url.toString().replaceFirst("!.*$", "").replaceFirst("^.*/", "");
        Path target = home.resolve("postgres-bin-" + digest(jar));
        if (Files.exists(target.resolve("bin/postgres"))) {
            return target;
        }
        Path tmp = Files.createTempDirectory(home, "postgres-bin-unpacking");
        try (InputStream in = new BufferedInputStream(url.openStream());
                TarArchiveInputStream tar = new TarArchiveInputStream(new XZCompressorInputStream(in))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path out = tmp.resolve(entry.getName()).normalize();
                if (!out.startsWith(tmp)) {
                    throw new IOException("refusing archive entry outside its folder: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                } else if (entry.isSymbolicLink()) {
                    Files.createDirectories(out.getParent());
                    Files.createSymbolicLink(out, Path.of(entry.getLinkName()));
                } else {
                    Files.createDirectories(out.getParent());
                    Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
                    Files.setPosixFilePermissions(out, permissions(entry.getMode()));
                }
            }
        }
        try (Stream<Path> dirs = Files.walk(tmp)) {
            for (Path d : dirs.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                    .toList()) {
                Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        return target;
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        // Readable by all, executable where the archive says so: the server may run as another user.
        boolean exec = (mode & 0100) != 0;
        return PosixFilePermissions.fromString(exec ? "rwxr-xr-x" : "rw-r--r--");
    }

    /**
     * How server processes are started: as we are, or, when we are root, through {@code setpriv} as
     * an unprivileged user who owns the data folder.
     */
    private record RunAs(List<String> prefix, String owner) {
        static boolean needed() {
            return "root".equals(System.getProperty("user.name"));
        }

        static RunAs forServer(Path home) throws IOException {
            if (!needed()) {
                return new RunAs(List.of(), null);
            }
            String user = System.getenv().getOrDefault("FLOTILLA_PG_USER", "nobody");
            String uid = capture(List.of("id", "-u", user));
            String gid = capture(List.of("id", "-g", user));
            List<String> prefix = new ArrayList<>(
                    List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups", "--reset-env"));
            prefix.add("--");
            return new RunAs(List.copyOf(prefix), uid + ":" + gid);
        }

        boolean dropsPrivileges() {
            return owner != null;
        }

        void chown(Path path) throws IOException {
            run(new RunAs(List.of(), null), List.of("chown", "-R", owner, path.toString()), false);
        }
    }

    private static boolean traversableByOthers(Path dir) throws IOException {
        for (Path p = dir; p != null; p = p.getParent()) {
            if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                return false;
            }
        }
        return true;
    }

    private static String bin(Path binaries, String name) {
        return binaries.resolve("bin").resolve(name).toString();
    }

    private static String capture(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        waitFor(p, command);
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    private static void run(RunAs asUser, List<String> command, boolean mayFail) throws IOException {
        List<String> full = new ArrayList<>(asUser.prefix());
        full.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(full).redirectErrorStream(true);
        // setpriv --reset-env clears the environment; the binaries find their libraries by rpath.
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        waitFor(p, full);
        if (p.exitValue() != 0 && !mayFail) {
            throw new IOException(
                    Path.of(command.get(0)).getFileName() + " failed (exit " + p.exitValue() + "): " + out);
        }
    }

    private static void waitFor(Process p, List<String> command) throws IOException {
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish in 120 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String digest(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
