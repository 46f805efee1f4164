package dev.flotilla.api.rest;

import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One entry of the audit log.
 *
 * @param actor {@code account:<name>}, {@code oidc:<subject>}, {@code token:<id>}, {@code agent:<machine id>} or {@code system}
 * @param actorKind {@code person}, {@code token}, {@code agent}, {@code system} or {@code anonymous}
 * @param outcome {@code ok}, or {@code refused} for a refused sign-in or credential
 */
public record AuditEventView(
        long id,
        Instant at,
        String actor,
        String actorKind,
        String action,
        String outcome,
        String targetType,
        String targetId,
        String sourceIp,
        String summary,
        JsonNode before,
        JsonNode after) {}
