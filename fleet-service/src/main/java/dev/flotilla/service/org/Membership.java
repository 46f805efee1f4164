package dev.flotilla.service.org;

import java.time.Instant;
import java.util.UUID;

import dev.flotilla.service.tenant.Role;

/** A person's membership of one organization. */
public record Membership(UUID orgId, String slug, String name, Role role, Instant orgCreatedAt) {}
