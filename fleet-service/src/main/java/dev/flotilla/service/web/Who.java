package dev.flotilla.service.web;

import java.util.List;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import dev.flotilla.api.rest.OrgView;
import dev.flotilla.service.org.OrgService;
import dev.flotilla.service.tenant.Actor;
import dev.flotilla.service.tenant.Role;
import dev.flotilla.service.tenant.TenantContext;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * What the page layout shows of the signed-in person (templates read it as {@code inject:who}): their
 * name, their organizations (for the switcher) and what their role opens. Pages need not pass it.
 */
@Named("who")
@RequestScoped
public class Who {
    @Inject
    Actor actor;

    @Inject
    SecurityIdentity identity;

    @Inject
    OrgService orgs;

    @Inject
    TenantContext tenant;

    @Inject
    dev.flotilla.service.common.AuthMode authMode;

    @Inject
    io.vertx.core.http.HttpServerRequest request;

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

    /** Whether someone is signed in (the sign-in and invitation pages are also shown to nobody). */
    public boolean isSignedIn() {
        return !identity.isAnonymous();
    }

    /** The signed-in person's name as people read it. */
    public String getName() {
        return actor.displayName();
    }

    public boolean isAdmin() {
        return actor.has(Role.ADMIN);
    }

    public boolean isOperator() {
        return actor.has(Role.OPERATOR);
    }

    /**
     * The navigation's sections that lie under another ({@code /machines/add} under {@code
     * /machines}): on their pages only they are current, not the section above them.
     */
    static final List<String> NESTED_SECTIONS = List.of("/machines/add");

    /**
     * Whether the page shown is {@code section} or under it, for the navigation's {@code aria-current}
     * ({@code /} is the overview alone); only the most specific section is current.
     */
    public boolean isCurrent(String section) {
        String path = request.path();
        if (!under(path, section)) {
            return false;
        }
        return NESTED_SECTIONS.stream()
                .noneMatch(nested ->
                        nested.length() > section.length() && nested.startsWith(section + "/") && under(path, nested));
    }

    private static boolean under(String path, String section) {
        return section.equals("/") ? path.equals("/") : path.equals(section) || path.startsWith(section + "/");
    }

    public boolean isOidc() {
        return authMode.keycloak();
    }
}
