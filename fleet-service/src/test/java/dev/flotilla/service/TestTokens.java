package dev.flotilla.service;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.flotilla.api.rest.NewApiToken;
import dev.flotilla.api.rest.NewEnrollmentToken;
import dev.flotilla.service.auth.ApiTokenService;
import dev.flotilla.service.auth.Role;
import dev.flotilla.service.enroll.EnrollmentService;
import dev.flotilla.service.tenant.Organizations;

/** Makes real tokens through the services, as an admin would through the API. */
@ApplicationScoped
public class TestTokens {
    @Inject
    ApiTokenService tokens;

    @Inject
    EnrollmentService enrollment;

    public String api(Role role) {
        return tokens.create(
                        Organizations.DEFAULT,
                        "test",
                        Role.OWNER,
                        new NewApiToken("test-" + role.wireName(), role.wireName(), Duration.ofHours(1)))
                .secret();
    }

    public String enrollment(int uses) {
        return enrollment
                .create(Organizations.DEFAULT, "test", new NewEnrollmentToken("test", uses, Duration.ofHours(1)))
                .secret();
    }
}
