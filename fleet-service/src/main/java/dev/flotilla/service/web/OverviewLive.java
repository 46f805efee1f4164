package dev.flotilla.service.web;

import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import dev.flotilla.service.overview.OverviewService;

/** The overview's live counts, read from PostgreSQL (right whichever replica holds the agents). */
@ApplicationScoped
public class OverviewLive {
    @Inject
    OverviewService overview;

    @ActivateRequestContext
    @Transactional
    public Map<String, Integer> counts(UUID org) {
        return overview.liveCounts(org);
    }
}
