package dev.flotilla.api.rest;

import java.util.List;

/**
 * A new enrollment token and its secret, which is shown this once and never again, with the
 * commands that install the agent enrolled by it, one per way it installs.
 */
public record CreatedEnrollmentToken(EnrollmentTokenView token, String secret, List<InstallCommand> install) {
    public CreatedEnrollmentToken(EnrollmentTokenView token, String secret) {
        this(token, secret, List.of());
    }

    public CreatedEnrollmentToken withInstall(List<InstallCommand> commands) {
        return new CreatedEnrollmentToken(token, secret, List.copyOf(commands));
    }
}
