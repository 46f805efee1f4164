package dev.flotilla.service;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import dev.flotilla.api.rest.NewApiToken;
import dev.flotilla.api.rest.NewEnrollmentToken;
import dev.flotilla.service.auth.Account;
import dev.flotilla.service.auth.AccountService;
import dev.flotilla.service.auth.ApiTokenService;
import dev.flotilla.service.enroll.EnrollmentService;
import dev.flotilla.service.org.OrgService;
import dev.flotilla.service.tenant.Organizations;
import dev.flotilla.service.tenant.Role;

/** Makes real organizations, people and tokens through the services, as an admin would through the API. */
@ApplicationScoped
public class TestTokens {
    @Inject
    ApiTokenService tokens;

    @Inject
    EnrollmentService enrollment;

    @Inject
    OrgService orgs;

    @Inject
    EntityManager em;

    public String api(Role role) {
        return api(Organizations.DEFAULT, role);
    }

    /** An API token of {@code org} with {@code role}, made by the system (no person whose removal would revoke it). */
    public String api(UUID org, Role role) {
        return tokens.create(
                        org,
                        "test",
                        Role.OWNER,
                        new NewApiToken("test-" + role.wireName(), role.wireName(), Duration.ofHours(1)))
                .secret();
    }

    public String enrollment(int uses) {
        return enrollment(Organizations.DEFAULT, uses);
    }

    public String enrollment(UUID org, int uses) {
        return enrollment
                .create(org, "test", new NewEnrollmentToken("test", uses, Duration.ofHours(1)))
                .secret();
    }

    /** A new, empty organization. */
    @Transactional
    public UUID org(String slug) {
        UUID id = UUID.randomUUID();
        em.createNativeQuery("insert into organization (id, slug, name) values (:id, :s, :n)")
                .setParameter("id", id)
                .setParameter("s", slug)
                .setParameter("n", "Test " + slug)
                .executeUpdate();
        return id;
    }

    /** A local account (created when new) made a member of {@code org} with {@code role}. */
    @Transactional
    public void person(UUID org, String username, String password, Role role) {
        if (Account.count("lower(username) = lower(?1)", username) == 0) {
            Account a = new Account();
            a.id = UUID.randomUUID();
            a.username = username;
            a.passwordHash = AccountService.hash(password);
            a.createdAt = Instant.now();
            a.persist();
        }
        orgs.addMember(org, AccountService.subject(username), username, null, role, "test");
    }

    /** Removes every member of {@code org}, as if they had all been removed. */
    @Transactional
    public void removeMembers(UUID org) {
        em.createNativeQuery("delete from member where org_id = :o")
                .setParameter("o", org)
                .executeUpdate();
    }
}
