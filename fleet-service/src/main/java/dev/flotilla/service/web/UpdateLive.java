package dev.flotilla.service.web;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import dev.flotilla.api.rest.Page;
import dev.flotilla.api.rest.UpdateLeaseView;
import dev.flotilla.service.updates.LeaseService;
import dev.flotilla.service.updates.MachineUpdateService;

/** A policy's latest leases, as its page shows them live (read from PostgreSQL: right on any replica). */
@ApplicationScoped
public class UpdateLive {
    static final int SHOWN = 50;

    @Inject
    LeaseService leases;

    @Inject
    MachineUpdateService updates;

    @ActivateRequestContext
    @Transactional
    public Page<UpdateLeaseView> leases(UUID org, String policy) {
        return leases.leases(org, policy, null, SHOWN);
    }

    /** What a policy's page follows live: its latest leases and its machines' progress. */
    public record Snapshot(Page<UpdateLeaseView> leases, Page<dev.flotilla.api.rest.MachineUpdateView> machines) {}

    @ActivateRequestContext
    @Transactional
    public Snapshot snapshot(UUID org, String policy) {
        return new Snapshot(leases.leases(org, policy, null, SHOWN), updates.machinesOf(org, policy, null, MACHINES));
    }

    static final int MACHINES = 100;
}
