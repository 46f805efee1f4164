package dev.flotilla.service.observed;

import io.smallrye.config.ConfigMapping;

/** How the service stores what agents report ({@code flotilla.ingest.*}; defaults in application.properties). */
@ConfigMapping(prefix = "flotilla.ingest")
public interface IngestConfig {
    /** Writer threads; each commits what arrived together in one transaction (group commit). */
    int writers();

    /** Most agent frames in one such transaction. */
    int maxBatch();
}
