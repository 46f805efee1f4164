package dev.flotilla.service.org;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import dev.flotilla.service.common.AuthMode;

/**
 * Deletes the Keycloak clients of service accounts that stopped being members (removed, or gone
 * with the member who vouched for them), after the membership change committed: whoever removes a
 * member, through the API or the dashboard, calls this once.
 */
@ApplicationScoped
public class ServiceClients {
    @Inject
    AuthMode authMode;

    @Inject
    Instance<IdentityDirectory> directory;

    public void deleteAll(List<String> subjects) {
        if (!authMode.keycloak()) {
            return; // with local accounts there are no service-account clients
        }
        for (String subject : subjects) {
            if (subject.startsWith("client:")) {
                directory.get().deleteServiceClient(subject.substring("client:".length()));
            }
        }
    }
}
