package dev.flotilla.service.audit;

import jakarta.enterprise.context.RequestScoped;

import io.quarkus.arc.Arc;

/** Whether the current request has written to the audit log (see {@link AuditFilter}). */
@RequestScoped
public class AuditTrail {
    private boolean recorded;

    static void noteRecorded() {
        if (Arc.container().requestContext().isActive()) {
            Arc.container().instance(AuditTrail.class).get().recorded = true;
        }
    }

    boolean recorded() {
        return recorded;
    }
}
