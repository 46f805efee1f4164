package dev.flotilla.service.web;

import java.util.List;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import dev.flotilla.api.rest.OrgView;
import dev.flotilla.service.auth.OrgService;
import dev.flotilla.service.tenant.Actor;
import dev.flotilla.service.tenant.Role;
import dev.flotilla.service.tenant.TenantContext;

/** What the page layout shows of the signed-in person: their organizations (for the switcher) and what their role opens. */
@Named("who")
@RequestScoped
public class Who {
    @Inject
    Actor actor;

    @Inject
    OrgService orgs;

    @Inject
    TenantContext tenant;

    @Inject
    dev.flotilla.service.auth.AuthMode authMode;

    private List<OrgView> mine;

    public List<OrgView> getOrgs() {
        if (mine == null) {
            mine = actor.isPerson()
                    ? tenant.unscoped(
                            () -> orgs.views(actor.subject(), actor.org().orElse(null)))
                    : List.of();
        }
        return mine;
    }

    public String getOrgName() {
        return getOrgs().stream()
                .filter(OrgView::current)
                .map(OrgView::name)
                .findFirst()
                .orElse("");
    }

    public boolean isAdmin() {
        return actor.has(Role.ADMIN);
    }

    public boolean isOidc() {
        return authMode.keycloak();
    }
}
