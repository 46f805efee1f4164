package dev.flotilla.service.audit;

import java.time.Instant;
import java.time.format.DateTimeParseException;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.flotilla.api.rest.AuditEventView;
import dev.flotilla.api.rest.Page;
import dev.flotilla.service.common.Paging;
import dev.flotilla.service.common.ProblemException;
import dev.flotilla.service.tenant.Actor;
import dev.flotilla.service.tenant.Role;

@Path("/api/v1/audit")
@Tag(name = "Audit log")
@Produces(MediaType.APPLICATION_JSON)
public class AuditResource {
    @Inject
    AuditLog audit;

    @Inject
    Actor actor;

    @GET
    @RolesAllowed(Role.ADMIN_NAME)
    @Operation(summary = "The organization's audit log, newest first (role: admin)")
    public Page<AuditEventView> list(
            @Parameter(description = "who: account:<name>, oidc:<subject>, token:<id>, agent:<machine id>")
                    @QueryParam("actor")
                    String who,
            @Parameter(description = "an action (member.remove) or a family of them (member)") @QueryParam("action")
                    String action,
            @Parameter(description = "the kind of target: unit, machine, member, token, ...") @QueryParam("targetType")
                    String targetType,
            @Parameter(description = "the target's id or name") @QueryParam("targetId") String targetId,
            @Parameter(description = "ok or refused") @QueryParam("outcome") String outcome,
            @Parameter(description = "only entries at or after this instant (ISO-8601)") @QueryParam("since")
                    String since,
            @Parameter(description = "nextCursor of the previous page") @QueryParam("cursor") String cursor,
            @Parameter(description = "page size, 1 to 500 (default 50)") @QueryParam("limit") String limit) {
        Instant from = null;
        if (since != null && !since.isBlank()) {
            try {
                from = Instant.parse(since);
            } catch (DateTimeParseException e) {
                throw ProblemException.badRequest("since must be an ISO-8601 instant such as 2026-11-29T12:00:00Z");
            }
        }
        return audit.list(
                actor.orgId(),
                new AuditLog.Filter(
                        blank(who), blank(action), blank(targetType), blank(targetId), blank(outcome), from),
                cursor,
                Paging.limit(limit));
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
