package dev.flotilla.service.common;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Connections of their own, outside the pool, to the service's database: for what lives as long
 * as a connection does (a LISTEN, a session advisory lock held by the scheduler's leader).
 */
@ApplicationScoped
public class DirectConnections {
    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String url;

    @ConfigProperty(name = "quarkus.datasource.username")
    Optional<String> user;

    @ConfigProperty(name = "quarkus.datasource.password")
    Optional<String> password;

    public Connection open() throws SQLException {
        return DriverManager.getConnection(url, user.orElse("postgres"), password.orElse(""));
    }
}
