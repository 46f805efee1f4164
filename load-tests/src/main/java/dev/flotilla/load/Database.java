package dev.flotilla.load;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * A fresh database for one benchmark run, on the given PostgreSQL server (by default the machine's,
 * 127.0.0.1:5432), dropped afterwards; and the queries that check nothing was lost.
 */
final class Database implements AutoCloseable {
    private final String serverUrl;
    private final String user;
    private final String password;
    private final String name;
    private final String params;
    private final boolean keep;

    /**
     * @param serverUrl {@code jdbc:postgresql://host:port/} (any database part is replaced)
     */
    Database(String serverUrl, String user, String password, String name, boolean keep) throws SQLException {
        this(serverUrl, "", user, password, name, keep);
    }

    /**
     * @param params the URL's query ({@code ?targetServerType=primary} for several hosts), or empty
     */
    Database(String serverUrl, String params, String user, String password, String name, boolean keep)
            throws SQLException {
        this.serverUrl = serverUrl.replaceAll("(jdbc:postgresql://[^/]+/).*", "$1");
        this.params = params;
        this.user = user;
        this.password = password;
        this.name = name;
        this.keep = keep;
        try (Connection c = DriverManager.getConnection(this.serverUrl + "postgres" + params, user, password);
                Statement s = c.createStatement()) {
            s.execute("create database " + name);
        }
    }

    String jdbcUrl() {
        return serverUrl + name + params;
    }

    String user() {
        return user;
    }

    String password() {
        return password == null ? "" : password;
    }

    String name() {
        return name;
    }

    /** Host and port of the server, for pgbench. */
    URI server() {
        return URI.create(serverUrl.substring("jdbc:".length()));
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), user, password);
    }

    /** A setting of the server, as {@code show} gives it. */
    String setting(String name) throws SQLException {
        try (Connection c = connect();
                ResultSet r = c.createStatement().executeQuery("show " + name)) {
            r.next();
            return r.getString(1);
        }
    }

    /** {@code vacuum (analyze)} of the given tables, or of the whole database when none are given. */
    void vacuumAnalyze(String... tables) throws SQLException {
        try (Connection c = connect();
                Statement s = c.createStatement()) {
            s.execute("vacuum (analyze) " + String.join(", ", tables));
        }
    }

    long sizeBytes() throws SQLException {
        try (Connection c = connect();
                ResultSet r = c.createStatement().executeQuery("select pg_database_size(current_database())")) {
            r.next();
            return r.getLong(1);
        }
    }

    /** Live rows per table, largest first (PostgreSQL's statistics: counted as rows are written). */
    Map<String, Long> rowsByTable() throws SQLException {
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        try (Connection c = connect();
                ResultSet r = c.createStatement()
                        .executeQuery("select relname, n_live_tup from pg_stat_user_tables"
                                + " where n_live_tup > 0 order by n_live_tup desc")) {
            while (r.next()) {
                out.put(r.getString(1), r.getLong(2));
            }
        }
        return out;
    }

    int count(String sql) throws SQLException {
        try (Connection c = connect();
                ResultSet r = c.createStatement().executeQuery(sql)) {
            r.next();
            return r.getInt(1);
        }
    }

    /** Stored unit and container transitions per machine (gap records excluded: there should be none). */
    Map<String, Long> eventsPerMachine() throws SQLException {
        Map<String, Long> out = new HashMap<>();
        try (Connection c = connect();
                ResultSet r = c.createStatement()
                        .executeQuery("select machine_id, sum(n) from (select machine_id, count(*) n from unit_event"
                                + " where dropped = 0 group by machine_id union all select machine_id, count(*) from"
                                + " container_event group by machine_id) t group by machine_id")) {
            while (r.next()) {
                out.put(r.getString(1), r.getLong(2));
            }
        }
        return out;
    }

    /** Gap records: transitions an agent had to drop. */
    long droppedTransitions() throws SQLException {
        try (Connection c = connect();
                ResultSet r = c.createStatement().executeQuery("select coalesce(sum(dropped), 0) from unit_event")) {
            r.next();
            return r.getLong(1);
        }
    }

    /** The current state of every unit of every machine, {@code machine -> name -> active/sub}, in one pass. */
    Map<String, Map<String, String>> unitStates() throws SQLException {
        Map<String, Map<String, String>> out = new HashMap<>();
        try (Connection c = connect()) {
            c.setAutoCommit(false); // lets the driver stream with a fetch size
            try (PreparedStatement ps =
                    c.prepareStatement("select machine_id, name, active_state, sub_state from machine_unit")) {
                ps.setFetchSize(10_000);
                try (ResultSet r = ps.executeQuery()) {
                    while (r.next()) {
                        out.computeIfAbsent(r.getString(1), k -> new HashMap<>())
                                .put(r.getString(2), r.getString(3) + "/" + r.getString(4));
                    }
                }
            }
        }
        return out;
    }

    @Override
    public void close() throws SQLException {
        if (keep) {
            return;
        }
        try (Connection c = DriverManager.getConnection(serverUrl + "postgres" + params, user, password);
                Statement s = c.createStatement()) {
            s.execute("drop database if exists " + name + " with (force)");
        }
    }
}
