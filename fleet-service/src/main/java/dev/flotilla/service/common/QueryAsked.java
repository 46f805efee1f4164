package dev.flotilla.service.common;

/**
 * A replica asked, through PostgreSQL ({@code NOTIFY flotilla_query}), a question of an agent it
 * does not hold: the replica that holds it answers (see the agent gateway's relay).
 */
public record QueryAsked(String requestId) {}
