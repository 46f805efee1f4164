package dev.flotilla.service.agent;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
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
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.flotilla.api.protocol.UnitQuery;
import dev.flotilla.api.protocol.UnitQueryReply;
import dev.flotilla.api.unit.UnitNames;
import dev.flotilla.service.common.ProblemException;
import dev.flotilla.service.machine.MachineRef;
import dev.flotilla.service.machine.MachineService;
import dev.flotilla.service.tenant.Actor;
import dev.flotilla.service.tenant.Role;

/** A unit's journal and status, asked of its machine's agent over the agent's own connection: no SSH. */
@Path("/api/v1/machines/{id}/units/{name}")
@Tag(name = "Machines")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.VIEWER_NAME)
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

    @GET
    @Path("/journal")
    @Operation(summary = "The last entries of the unit's journal on this machine, oldest first (role: viewer)")
    public UnitQueryReply journal(
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
    @Operation(summary = "The unit's status on this machine, as systemctl status shows it (role: viewer)")
    public UnitQueryReply status(@PathParam("id") String id, @PathParam("name") String name) {
        return ask(id, name, UnitQuery.STATUS, 0);
    }

    private UnitQueryReply ask(String id, String name, String what, int lines) {
        if (!UnitNames.isValid(name)) {
            throw ProblemException.badRequest("not a systemd unit name");
        }
        String presence = machines.get(actor.orgId(), id).presence();
        UnitQuery query = new UnitQuery(UUID.randomUUID().toString(), name, what, lines);
        MachineRef machine = new MachineRef(actor.orgId(), id);
        CompletableFuture<UnitQueryReply> reply = sessions.ask(machine, query, TIMEOUT)
                .orElseGet(() -> {
                    if (!"online".equals(presence)) {
                        throw ProblemException.conflict(
                                "the machine's agent is not connected (presence: " + presence + ")");
                    }
                    // Connected to another replica: asked through PostgreSQL.
                    return relay.ask(machine, query, TIMEOUT);
                });
        try {
            UnitQueryReply r = reply.get();
            if (r.error() != null) {
                throw new ProblemException(Response.Status.BAD_GATEWAY, "the agent could not answer: " + r.error());
            }
            return r;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TimeoutException) {
                throw new ProblemException(
                        Response.Status.GATEWAY_TIMEOUT,
                        "the agent did not answer within " + TIMEOUT.toSeconds() + " s");
            }
            throw new ProblemException(Response.Status.BAD_GATEWAY, "the agent's connection failed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProblemException(Response.Status.SERVICE_UNAVAILABLE, "interrupted");
        }
    }
}
