package dev.flotilla.service.audit;

import io.smallrye.config.ConfigMapping;

/** The audit log's bounds ({@code flotilla.audit.*}; defaults in application.properties). */
@ConfigMapping(prefix = "flotilla.audit")
public interface AuditConfig {
    /** Refused credentials and sign-ins recorded per address a minute; more are dropped. */
    int maxRefusalsPerMinute();

    /** Refused credentials and sign-ins recorded per organization a minute, from all addresses. */
    int maxRefusalsPerOrgPerMinute();
}
