package dev.flotilla.service.tenant;

import io.smallrye.config.ConfigMapping;

/**
 * Request rates ({@code flotilla.limits.*}; defaults and why in application.properties): per
 * replica, bursts of twice the rate; over them a 429 with {@code Retry-After}.
 */
@ConfigMapping(prefix = "flotilla.limits")
public interface LimitsConfig {
    /** Requests a second per caller (API token, person, service account). */
    double callerPerSecond();

    /** Requests a second per organization, unless the organization has its own rate. */
    double orgPerSecond();

    /** Requests a second per address from callers without credentials (enrollment, FleetLock, pages). */
    double anonymousPerSecond();

    /**
     * How long a refusal of a caller at twice its rate (one that ignores {@code Retry-After}) is
     * held before it is sent; 0 sends it at once.
     */
    java.time.Duration gateDelay();

    /** Questions to agents (journal, status) one caller may have waiting at once. */
    int questionsPerCaller();

    /** Questions to agents one organization may have waiting at once. */
    int questionsPerOrg();

    /** Live views (server-sent events) one caller may hold open at once. */
    int streamsPerCaller();

    /** Live views one organization may hold open at once. */
    int streamsPerOrg();
}
