package dev.flotilla.api.rest;

import java.time.Instant;

/**
 * An organization (tenant) as one of its members sees it.
 *
 * @param role the caller's role in it: {@code owner}, {@code admin}, {@code operator} or {@code viewer}
 * @param current whether requests without a {@code Flotilla-Org} header act in it
 */
public record OrgView(String id, String slug, String name, String role, boolean current, Instant createdAt) {}
