package dev.flotilla.service.tenant;

import io.smallrye.config.ConfigMapping;

/**
 * What an organization may have ({@code flotilla.quota.*}; defaults in application.properties),
 * unless its own row says otherwise ({@code organization.max_machines}, {@code max_units}).
 */
@ConfigMapping(prefix = "flotilla.quota")
public interface QuotaConfig {
    /** Machines an organization may enroll. */
    int machines();

    /** Units an organization may have. */
    int units();

    /** Organizations one person may own (anyone can sign up, and each one has its own quotas). */
    int orgsPerPerson();
}
