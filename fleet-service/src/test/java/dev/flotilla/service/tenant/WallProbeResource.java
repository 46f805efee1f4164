package dev.flotilla.service.tenant;

import java.util.List;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * Test-only (it lives in src/test): a resource that "forgets" the organization filter, to show
 * that the database's second wall still hides other organizations' rows from a request.
 */
@Path("/test/wall")
@Produces(MediaType.APPLICATION_JSON)
public class WallProbeResource {
    @Inject
    EntityManager em;

    @GET
    @RolesAllowed("viewer")
    @Transactional
    @Operation(hidden = true)
    @SuppressWarnings("unchecked")
    public Map<String, Object> unfiltered() {
        List<String> orgs = em.createNativeQuery("select distinct cast(org_id as text) from machine")
                .getResultList();
        List<String> slugs =
                em.createNativeQuery("select slug from organization").getResultList();
        Object role = em.createNativeQuery("select current_user").getSingleResult();
        return Map.of("machineOrgs", orgs, "organizations", slugs, "role", role);
    }
}
