package dev.flotilla.service.enroll;

import java.net.URI;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.flotilla.api.rest.InstallCommand;
import dev.flotilla.service.org.LinksConfig;

/**
 * {@link InstallCommands} with this service's settings filled in (its public URL, the agent's
 * version, image and downloads): what the API's new tokens and the dashboard's "Add machines" page
 * both show.
 */
@ApplicationScoped
public class InstallService {
    private static final Logger LOG = Logger.getLogger(InstallService.class);
    private static final InstallCommands COMMANDS = InstallCommands.fromClasspath();

    @Inject
    InstallConfig install;

    @Inject
    LinksConfig links;

    /**
     * Every way to install the agent, enrolled by {@code secret}, or none when an address cannot be
     * put in a command safely (a strange Host, a misconfigured setting; the reason is logged).
     *
     * @param requestBase the base URI of the request, used when no public URL is configured
     */
    public List<InstallCommand> commands(URI requestBase, String secret) {
        try {
            return COMMANDS.all(
                    links.publicUrl().orElse(requestBase.toString()),
                    secret,
                    agentVersion(),
                    install.image(),
                    install.downloads());
        } catch (IllegalArgumentException e) {
            LOG.warn(e.getMessage());
            return List.of();
        }
    }

    /** The version of this build (the agent's is the same), as the packages' file names spell it. */
    static String agentVersion() {
        return org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getOptionalValue("quarkus.application.version", String.class)
                .orElse("0.1.0")
                .replace("-SNAPSHOT", "");
    }
}
