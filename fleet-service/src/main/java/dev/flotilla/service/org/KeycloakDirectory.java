package dev.flotilla.service.org;

import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.keycloak.admin.client.CreatedResponseUtil;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.admin.client.resource.RealmResource;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.UserRepresentation;

import dev.flotilla.service.common.ProblemException;

/**
 * The Keycloak realm as Flotilla's identity directory, through Keycloak's admin API (the Quarkus
 * admin client, signed in as the {@code flotilla-admin} client's service account). Invitees get a
 * user with their (unverified) email address and no password, and Keycloak's execute-actions email
 * (VERIFY_EMAIL, UPDATE_PASSWORD) through the realm's SMTP server; service accounts get a
 * confidential client of their own.
 */
@ApplicationScoped
public class KeycloakDirectory implements IdentityDirectory {
    /** How long the emailed link to verify the address and choose a password works: as the invitation. */
    private static final java.time.Duration LINK_LIFESPAN = java.time.Duration.ofDays(7);

    @Inject
    Instance<Keycloak> keycloak;

    @ConfigProperty(name = "quarkus.keycloak.admin-client.realm", defaultValue = "flotilla")
    String realm;

    private RealmResource realm() {
        return keycloak.get().realm(realm);
    }

    @Override
    public Prepared prepare(String email) {
        try {
            List<UserRepresentation> found = realm().users().searchByEmail(email, true);
            if (!found.isEmpty()) {
                return new Prepared(found.get(0).getId());
            }
            UserRepresentation user = new UserRepresentation();
            user.setUsername(email);
            user.setEmail(email);
            // Unverified, without a password: whoever owns the address verifies it and chooses the
            // password through the link Keycloak mails them. The inviter never knows it, and nobody
            // can take an address before its owner.
            user.setEmailVerified(false);
            user.setEnabled(true);
            String id;
            try (Response r = realm().users().create(user)) {
                if (r.getStatus() != 201) {
                    throw new ProblemException(
                            Response.Status.BAD_GATEWAY, "Keycloak refused to create the user (" + r.getStatus() + ")");
                }
                id = CreatedResponseUtil.getCreatedId(r);
            }
            try {
                realm().users().get(id).executeActionsEmail(List.of("VERIFY_EMAIL", "UPDATE_PASSWORD"), (int)
                        LINK_LIFESPAN.toSeconds());
            } catch (RuntimeException e) {
                realm().users().get(id).remove(); // no user left behind that nobody can sign in as
                throw new ProblemException(
                        Response.Status.BAD_GATEWAY,
                        "Keycloak could not email the invitee (is the realm's SMTP server set? deploy/keycloak/import.sh): "
                                + e.getMessage());
            }
            return new Prepared(id);
        } catch (ProblemException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ProblemException(Response.Status.BAD_GATEWAY, "Keycloak's admin API failed: " + e.getMessage());
        }
    }

    @Override
    public String createServiceClient(String clientId, String description) {
        try {
            if (!realm().clients().findByClientId(clientId).isEmpty()) {
                throw ProblemException.conflict("a Keycloak client " + clientId + " exists already");
            }
            ClientRepresentation client = new ClientRepresentation();
            client.setClientId(clientId);
            client.setName(description);
            client.setPublicClient(false);
            client.setServiceAccountsEnabled(true);
            client.setStandardFlowEnabled(false);
            client.setDirectAccessGrantsEnabled(false);
            client.setImplicitFlowEnabled(false);
            client.setAttributes(Map.of("flotilla.service-account", "true"));
            // its tokens are for Flotilla's API (quarkus.oidc.api.token.audience)
            org.keycloak.representations.idm.ProtocolMapperRepresentation audience =
                    new org.keycloak.representations.idm.ProtocolMapperRepresentation();
            audience.setName("flotilla-api audience");
            audience.setProtocol("openid-connect");
            audience.setProtocolMapper("oidc-audience-mapper");
            audience.setConfig(Map.of(
                    "included.custom.audience",
                    "flotilla-api",
                    "access.token.claim",
                    "true",
                    "id.token.claim",
                    "false"));
            client.setProtocolMappers(List.of(audience));
            try (Response r = realm().clients().create(client)) {
                if (r.getStatus() != 201) {
                    throw new ProblemException(
                            Response.Status.BAD_GATEWAY,
                            "Keycloak refused to create the client (" + r.getStatus() + ")");
                }
                String id = CreatedResponseUtil.getCreatedId(r);
                return realm().clients().get(id).getSecret().getValue();
            }
        } catch (ProblemException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ProblemException(Response.Status.BAD_GATEWAY, "Keycloak's admin API failed: " + e.getMessage());
        }
    }

    @Override
    public void deleteServiceClient(String clientId) {
        try {
            realm().clients()
                    .findByClientId(clientId)
                    .forEach(c -> realm().clients().get(c.getId()).remove());
        } catch (RuntimeException e) {
            throw new ProblemException(Response.Status.BAD_GATEWAY, "Keycloak's admin API failed: " + e.getMessage());
        }
    }
}
