package dev.flotilla.service.fleetv1;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
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

import dev.flotilla.api.rest.FleetV1;
import dev.flotilla.api.rest.NewUnit;
import dev.flotilla.api.unit.UnitFile;
import dev.flotilla.api.unit.UnitNames;
import dev.flotilla.service.common.Cursor;
import dev.flotilla.service.common.ProblemException;
import dev.flotilla.service.tenant.Actor;
import dev.flotilla.service.tenant.Role;
import dev.flotilla.service.units.UnitService;

/**
 * fleet's units API, {@code /fleet/v1/units}, as coreos/fleet's Documentation/api-v1.md and
 * api/units.go define it, over Flotilla's units: so fleet's own clients work with an API token.
 * Errors have fleet's shape ({@link FleetErrorFilter}).
 */
@Path("/fleet/v1/units")
@Tag(name = "fleet v1")
@Produces(MediaType.APPLICATION_JSON)
public class FleetUnitsResource {
    /** fleet's page size (fleetd --token-limit). */
    static final int PAGE = 100;

    @Inject
    UnitService units;

    @Inject
    Actor actor;

    @GET
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(summary = "fleet v1: every unit, by name, 100 a page (role: viewer)")
    public FleetV1.UnitPage list(@QueryParam("nextPageToken") String token) {
        String after =
                token == null || token.isBlank() ? "" : Cursor.decode(token, 1).get(0);
        List<UnitService.Stored> page = units.page(actor.orgId(), after, PAGE + 1);
        List<FleetV1.Unit> out = new ArrayList<>();
        for (UnitService.Stored u : page.subList(0, Math.min(PAGE, page.size()))) {
            out.add(view(u));
        }
        String next = page.size() > PAGE ? Cursor.encode(out.get(PAGE - 1).name()) : null;
        return new FleetV1.UnitPage(out, next);
    }

    @GET
    @Path("/{name}")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(summary = "fleet v1: one unit (role: viewer)")
    public FleetV1.Unit get(@PathParam("name") String name) {
        return view(units.find(actor.orgId(), name).orElseThrow(FleetUnitsResource::missing));
    }

    @PUT
    @Path("/{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(
            summary = "fleet v1: create a unit (201; options required), replace it with other options (201), or"
                    + " change its desiredState (204) (role: operator)")
    @APIResponse(responseCode = "201", description = "Created, or its options changed.")
    @APIResponse(responseCode = "204", description = "Its desired state changed.")
    @APIResponse(
            responseCode = "409",
            description = "As fleet answered: no such unit and no options, or no desiredState for an existing unit.",
            content =
                    @Content(mediaType = "application/json", schema = @Schema(ref = "#/components/schemas/FleetError")))
    public Response put(@PathParam("name") String name, FleetV1.Unit body) {
        if (body == null) {
            throw ProblemException.badRequest("unable to decode body: empty");
        }
        if (body.name() != null && !body.name().isEmpty() && !body.name().equals(name)) {
            throw ProblemException.badRequest(
                    "name in URL \"" + name + "\" differs from unit name in request body \"" + body.name() + "\"");
        }
        String problem = UnitNames.problem(name);
        if (problem != null) {
            throw ProblemException.badRequest(problem);
        }
        boolean hasOptions = body.options() != null && !body.options().isEmpty();
        String desired = body.desiredState() == null || body.desiredState().isEmpty() ? null : body.desiredState();
        Optional<UnitService.Stored> existing = units.find(actor.orgId(), name);
        if (existing.isEmpty()
                || (hasOptions && !content(body).hash().equals(existing.get().hash()))) {
            if (!hasOptions) {
                throw ProblemException.conflict("unit does not exist and options field empty");
            }
            // New options without a desiredState keep an existing unit's target: a changed file is
            // not a reason to stop a running unit.
            String target = desired != null
                    ? desired
                    : existing.map(UnitService.Stored::target).orElse("inactive");
            units.put(actor.orgId(), name, new NewUnit(content(body).serialize(), target), actor.name());
            return Response.created(jakarta.ws.rs.core.UriBuilder.fromPath("/fleet/v1/units/{name}")
                            .build(name))
                    .build();
        }
        if (desired == null) {
            throw ProblemException.conflict("must provide DesiredState to update existing unit");
        }
        units.target(actor.orgId(), name, desired, actor.name());
        return Response.noContent().build();
    }

    @DELETE
    @Path("/{name}")
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(summary = "fleet v1: destroy a unit (role: operator)")
    @APIResponse(responseCode = "204", description = "Destroyed.")
    public Response delete(@PathParam("name") String name) {
        if (units.find(actor.orgId(), name).isEmpty()) {
            throw missing();
        }
        units.destroy(actor.orgId(), name);
        return Response.noContent().build();
    }

    private FleetV1.Unit view(UnitService.Stored u) {
        List<FleetV1.UnitOption> options = UnitFile.parse(u.content()).options().stream()
                .map(o -> new FleetV1.UnitOption(o.section(), o.name(), o.value()))
                .toList();
        // fleet leaves currentState and machineID out for a global unit: it runs on many machines.
        return new FleetV1.Unit(
                u.name(),
                options,
                u.target(),
                u.global() ? null : units.currentState(actor.orgId(), u),
                u.global() ? null : u.machineId());
    }

    private static UnitFile content(FleetV1.Unit body) {
        List<UnitFile.Option> options = new ArrayList<>();
        for (FleetV1.UnitOption o : body.options()) {
            if (o == null || o.section() == null || o.name() == null || o.value() == null) {
                throw ProblemException.badRequest("every option needs section, name and value");
            }
            options.add(new UnitFile.Option(o.section(), o.name(), o.value()));
        }
        // Through the text form, so that fleet's options pass the same checks as a file.
        try {
            return UnitFile.parse(new UnitFile(options).serialize());
        } catch (UnitFile.SyntaxException e) {
            throw ProblemException.badRequest("invalid options: " + e.getMessage());
        }
    }

    private static ProblemException missing() {
        return new ProblemException(jakarta.ws.rs.core.Response.Status.NOT_FOUND, "unit does not exist");
    }
}
