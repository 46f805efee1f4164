package dev.flotilla.service.agent;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.flotilla.api.protocol.UnitQuery;
import dev.flotilla.api.protocol.UnitQueryReply;
import dev.flotilla.api.unit.UnitNames;
import dev.flotilla.service.audit.AuditLog;
import dev.flotilla.service.common.ProblemException;
import dev.flotilla.service.desired.DesiredStateService;
import dev.flotilla.service.machine.MachineRef;
import dev.flotilla.service.machine.MachineService;
import dev.flotilla.service.tenant.Actor;
import dev.flotilla.service.tenant.Concurrency;
import dev.flotilla.service.tenant.LimitsConfig;
import dev.flotilla.service.tenant.Role;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;

/** A unit's journal and status, asked of its machine's agent over the agent's own connection: no SSH. */
@Path("/api/v1/machines/{id}/units/{name}")
@Tag(name = "Machines")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.VIEWER_NAME)
@Blocking // the checks read the database; the wait for the agent holds no thread
public class UnitQueryResource {
    static final Duration TIMEOUT = Duration.ofSeconds(15);

    @Inject
    AgentSessions sessions;

    @Inject
    MachineService machines;

    @Inject
    Actor actor;

    @Inject
    UnitQueryRelay relay;

    @Inject
    DesiredStateService desired;

    @Inject
    AuditLog audit;

    @Inject
    Concurrency concurrency;

    @Inject
    LimitsConfig limits;

    @GET
    @Path("/journal")
    @Operation(
            summary = "The last entries of the unit's journal on this machine, oldest first (role: viewer for units"
                    + " Flotilla runs there, operator for any unit; 429 when the caller or its organization has"
                    + " too many questions waiting)")
    @APIResponse(
            responseCode = "409",
            description = "The machine's agent is not connected.",
            content =
                    @Content(
                            mediaType = "application/problem+json",
                            schema = @Schema(ref = "#/components/schemas/Problem")))
    @APIResponse(
            responseCode = "502",
            description = "The agent could not answer.",
            content =
                    @Content(
                            mediaType = "application/problem+json",
                            schema = @Schema(ref = "#/components/schemas/Problem")))
    @APIResponse(
            responseCode = "504",
            description = "No answer within 15 s.",
            content =
                    @Content(
                            mediaType = "application/problem+json",
                            schema = @Schema(ref = "#/components/schemas/Problem")))
    @APIResponse(
            responseCode = "200",
            description = "OK",
            content =
                    @Content(
                            mediaType = "application/json",
                            schema = @Schema(implementation = dev.flotilla.api.protocol.UnitQueryReply.class)))
    public Uni<UnitQueryReply> journal(
            @PathParam("id") String id, @PathParam("name") String name, @QueryParam("lines") String lines) {
        int n = 50;
        if (lines != null && !lines.isBlank()) {
            try {
                n = Integer.parseInt(lines.trim());
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 1 || n > 1000) {
                throw ProblemException.badRequest("lines must be a number from 1 to 1000");
            }
        }
        return ask(id, name, UnitQuery.JOURNAL, n);
    }

    @GET
    @Path("/status")
    @Operation(
            summary = "The unit's status on this machine, as systemctl status shows it (role: viewer for units"
                    + " Flotilla runs there, operator for any unit; 429 when too many questions are waiting)")
    @APIResponse(
            responseCode = "409",
            description = "The machine's agent is not connected.",
            content =
                    @Content(
                            mediaType = "application/problem+json",
                            schema = @Schema(ref = "#/components/schemas/Problem")))
    @APIResponse(
            responseCode = "502",
            description = "The agent could not answer.",
            content =
                    @Content(
                            mediaType = "application/problem+json",
                            schema = @Schema(ref = "#/components/schemas/Problem")))
    @APIResponse(
            responseCode = "504",
            description = "No answer within 15 s.",
            content =
                    @Content(
                            mediaType = "application/problem+json",
                            schema = @Schema(ref = "#/components/schemas/Problem")))
    @APIResponse(
            responseCode = "200",
            description = "OK",
            content =
                    @Content(
                            mediaType = "application/json",
                            schema = @Schema(implementation = dev.flotilla.api.protocol.UnitQueryReply.class)))
    public Uni<UnitQueryReply> status(@PathParam("id") String id, @PathParam("name") String name) {
        return ask(id, name, UnitQuery.STATUS, 0);
    }

    /**
     * Checks and records the question on this (worker) thread, then lets the thread go: the answer
     * comes from the agent, here or through another replica, while no thread waits for it.
     */
    private Uni<UnitQueryReply> ask(String id, String name, String what, int lines) {
        if (!UnitNames.isValid(name)) {
            throw ProblemException.badRequest("not a systemd unit name");
        }
        Concurrency.Permit permit = concurrency
                .acquire("question", actor.name(), actor.orgId(), limits.questionsPerCaller(), limits.questionsPerOrg())
                .orElseThrow(() -> ProblemException.tooMany(
                        "too many questions to agents waiting (at most " + limits.questionsPerCaller()
                                + " per caller, " + limits.questionsPerOrg() + " per organization); ask again"
                                + " when one is answered",
                        1));
        try {
            return ask(id, name, what, lines, permit);
        } catch (RuntimeException e) {
            permit.close();
            throw e;
        }
    }

    /** With the permit held: checks the machine and the caller's right, records the question, asks. */
    private Uni<UnitQueryReply> ask(String id, String name, String what, int lines, Concurrency.Permit permit) {
        String presence = machines.get(actor.orgId(), id).presence();
        MachineRef machine = new MachineRef(actor.orgId(), id);
        boolean managed = desired.manages(machine, name);
        // A journal can hold what people typed (sudo command lines in session scopes, sshd's log):
        // viewers see only the units Flotilla runs; operators and above any unit. Every question is
        // audited, answered or not.
        boolean allowed = managed || actor.has(Role.OPERATOR);
        audit.event(
                actor.orgId(),
                actor.name(),
                "unit." + what,
                allowed,
                "unit",
                id + "/" + name,
                allowed ? null : "refused: not a unit Flotilla manages, and the caller is a viewer",
                null);
        if (!allowed) {
            throw new ProblemException(
                    Response.Status.FORBIDDEN,
                    "a viewer may ask only about units Flotilla runs on this machine; " + name + " is not one");
        }
        UnitQuery query = new UnitQuery(UUID.randomUUID().toString(), name, what, lines);
        // A failure from here on closes the permit in the caller; an answer closes it on termination.
        CompletableFuture<UnitQueryReply> reply = sessions.ask(machine, query, TIMEOUT)
                .orElseGet(() -> {
                    if (!"online".equals(presence)) {
                        throw ProblemException.conflict(
                                "the machine's agent is not connected (presence: " + presence + ")");
                    }
                    // Connected to another replica: asked through PostgreSQL.
                    return relay.ask(machine, query, TIMEOUT);
                });
        return Uni.createFrom()
                .completionStage(reply)
                .onTermination()
                .invoke(permit::close)
                .onFailure()
                .transform(UnitQueryResource::problem)
                .map(r -> {
                    if (r.error() != null) {
                        throw new ProblemException(
                                Response.Status.BAD_GATEWAY, "the agent could not answer: " + r.error());
                    }
                    return r;
                });
    }

    private static Throwable problem(Throwable failure) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause()
                : failure;
        if (cause instanceof ProblemException) {
            return cause;
        }
        if (cause instanceof TimeoutException) {
            return new ProblemException(
                    Response.Status.GATEWAY_TIMEOUT, "the agent did not answer within " + TIMEOUT.toSeconds() + " s");
        }
        return new ProblemException(Response.Status.BAD_GATEWAY, "the agent's connection failed");
    }
}
