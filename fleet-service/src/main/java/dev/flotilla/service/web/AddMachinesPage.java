package dev.flotilla.service.web;

import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import dev.flotilla.api.rest.CreatedEnrollmentToken;
import dev.flotilla.api.rest.EnrollmentTokenView;
import dev.flotilla.api.rest.NewEnrollmentToken;
import dev.flotilla.api.selector.LabelSelector;
import dev.flotilla.service.common.ProblemException;
import dev.flotilla.service.enroll.EnrollmentService;
import dev.flotilla.service.enroll.InstallService;
import dev.flotilla.service.machine.MachineService;
import dev.flotilla.service.tenant.Actor;
import dev.flotilla.service.tenant.Role;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/**
 * "Add machines": the organization's enrollment tokens (the API's, role admin), a new one with
 * the agent's install commands filled in (shown once, as the API shows them), revoking one.
 */
@Path("/")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed(Role.ADMIN_NAME)
public class AddMachinesPage {

    /** This group's pages: templates/machines/ in the web-ui module. */
    @CheckedTemplate(basePath = "machines")
    static class Templates {
        static native TemplateInstance add(
                List<EnrollmentTokenView> tokens, CreatedEnrollmentToken created, TokenForm form, boolean empty);

        static native TemplateInstance revokeEnrollmentToken(EnrollmentTokenView token);
    }

    /**
     * The new-token form as typed, and what is wrong with it: {@code field} is {@code name}, {@code
     * uses}, {@code ttl} or null (the error is the form's).
     */
    public record TokenForm(String name, String uses, String ttl, String field, String error) {
        static final TokenForm BLANK = new TokenForm("", "1", "PT24H", null, null);

        /** The error when it is the field's, else null. */
        public String errorOf(String which) {
            return which.equals(field) ? error : null;
        }
    }

    @Inject
    EnrollmentService enrollment;

    @Inject
    InstallService install;

    @Inject
    MachineService machines;

    @Inject
    Actor actor;

    @Context
    UriInfo uri;

    @GET
    @Path("machines/add")
    public TemplateInstance page() {
        return page(null, TokenForm.BLANK);
    }

    private TemplateInstance page(CreatedEnrollmentToken created, TokenForm form) {
        UUID org = actor.orgId();
        boolean empty =
                machines.count(new MachineService.MachineQuery(org, LabelSelector.everything(), null, null, null, 1))
                        == 0;
        return Templates.add(enrollment.list(org), created, form, empty);
    }

    @POST
    @Path("machines/add/tokens")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response create(
            @FormParam("name") String name, @FormParam("uses") String uses, @FormParam("ttl") String ttl) {
        try {
            CreatedEnrollmentToken created = enrollment.create(
                    actor.orgId(), actor.name(), new NewEnrollmentToken(name, maxUses(uses), ttl(ttl)));
            created = created.withInstall(install.commands(uri.getBaseUri(), created.secret()));
            return Response.created(URI.create(
                            "/api/v1/enrollment-tokens/" + created.token().id()))
                    .entity(page(created, TokenForm.BLANK))
                    // the secret is shown once: not kept by the browser's cache or back button
                    .header("Cache-Control", "no-store")
                    .build();
        } catch (ProblemException e) {
            String message = e.getMessage();
            String field = message.startsWith("name")
                    ? "name"
                    : message.startsWith("maxUses") ? "uses" : message.startsWith("ttl") ? "ttl" : null;
            return Response.status(e.status())
                    .entity(page(null, new TokenForm(name, uses, ttl, field, message)))
                    .build();
        }
    }

    /** The API's maxUses from the form's text (blank: the API's default). */
    private static Integer maxUses(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Integer.valueOf(text.strip());
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest("maxUses must be from 1 to 100000");
        }
    }

    /** The API's ttl, an ISO-8601 duration, from the form's text (blank: the API's default). */
    private static Duration ttl(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Duration.parse(text.strip().toUpperCase(java.util.Locale.ROOT));
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest("ttl must be an ISO-8601 duration such as PT24H or P7D");
        }
    }

    @GET
    @Path("machines/add/tokens/{id}/revoke")
    public TemplateInstance confirmRevoke(@PathParam("id") UUID id) {
        return Templates.revokeEnrollmentToken(token(id));
    }

    @POST
    @Path("machines/add/tokens/{id}/revoke")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response revoke(@PathParam("id") UUID id) {
        enrollment.revoke(actor.orgId(), id);
        return Response.seeOther(URI.create("/machines/add")).build();
    }

    private EnrollmentTokenView token(UUID id) {
        return enrollment.list(actor.orgId()).stream()
                .filter(t -> t.id().equals(id.toString()))
                .findFirst()
                .orElseThrow(() -> ProblemException.notFound("enrollment token " + id));
    }
}
