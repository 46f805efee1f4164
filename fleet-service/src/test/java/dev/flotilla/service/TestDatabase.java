package dev.flotilla.service;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A database of its own for each test run, on the machine's real PostgreSQL (127.0.0.1:5432,
 * user postgres, or FLOTILLA_TEST_PG_URL/USER/PASSWORD), dropped afterwards.
 */
public class TestDatabase implements QuarkusTestResourceLifecycleManager {
    static final String SERVER = env("FLOTILLA_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/");
    static final String USER = env("FLOTILLA_TEST_PG_USER", "postgres");
    static final String PASSWORD = env("FLOTILLA_TEST_PG_PASSWORD", "");

    private String name;

    @Override
    public Map<String, String> start() {
        name = "flotilla_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        execute("create database " + name);
        return Map.of(
                "quarkus.datasource.jdbc.url", SERVER + name,
                "quarkus.datasource.username", USER,
                "quarkus.datasource.password", PASSWORD);
    }

    @Override
    public void stop() {
        if (name != null) {
            execute("drop database if exists " + name + " with (force)");
        }
    }

    private static void execute(String sql) {
        try (Connection c = DriverManager.getConnection(SERVER + "postgres", USER, PASSWORD);
                Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    sql + ": " + e.getMessage()
                            + " (is PostgreSQL running on 127.0.0.1:5432? see ENVIRONMENT notes in the README)",
                    e);
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
