package dev.flotilla.service.auth;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import dev.flotilla.api.rest.ApiTokenView;
import dev.flotilla.api.rest.CreatedApiToken;
import dev.flotilla.api.rest.NewApiToken;
import dev.flotilla.service.common.Checks;
import dev.flotilla.service.common.ProblemException;
import dev.flotilla.service.common.Secrets;
import dev.flotilla.service.common.TimeService;
import io.quarkus.security.identity.SecurityIdentity;

/** Creates, checks, lists and revokes API tokens. */
@ApplicationScoped
@Transactional
public class ApiTokenService {
    static final String PREFIX = "flt_";
    static final Duration DEFAULT_TTL = Duration.ofDays(30);

    @Inject
    TimeService time;

    public CreatedApiToken create(UUID orgId, String createdBy, Role callerRole, NewApiToken request) {
        if (request == null) {
            throw ProblemException.badRequest("a body with name and role is required");
        }
        String name = Checks.name(request.name());
        Role role = Role.parse(request.role());
        if (role == null || role == Role.OWNER) {
            throw ProblemException.badRequest("role must be one of admin, operator, viewer");
        }
        if (!callerRole.includes(role)) {
            throw new ProblemException(
                    jakarta.ws.rs.core.Response.Status.FORBIDDEN, "a token cannot have more power than its creator");
        }
        Duration ttl = Checks.ttl(request.ttl(), DEFAULT_TTL);
        Instant now = time.now().truncatedTo(ChronoUnit.MICROS);
        String secret = Secrets.generate(PREFIX);
        ApiToken t = new ApiToken();
        t.id = UUID.randomUUID();
        t.orgId = orgId;
        t.name = name;
        t.role = role.wireName();
        t.secretHash = Secrets.hash(secret);
        t.createdBy = createdBy;
        t.createdAt = now;
        t.expiresAt = now.plus(ttl);
        t.persist();
        return new CreatedApiToken(t.view(now), secret);
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public List<ApiTokenView> list(UUID orgId) {
        Instant now = time.now();
        return ApiToken.<ApiToken>list("orgId = ?1 order by createdAt desc, id", orgId).stream()
                .map(t -> t.view(now))
                .toList();
    }

    public ApiTokenView revoke(UUID orgId, UUID id) {
        ApiToken t = ApiToken.<ApiToken>find("orgId = ?1 and id = ?2", orgId, id)
                .firstResultOptional()
                .orElseThrow(() -> ProblemException.notFound("API token " + id));
        if (t.revokedAt == null) {
            t.revokedAt = time.now();
        }
        return t.view(time.now());
    }

    /** The identity of a valid token, or empty when it is unknown, expired or revoked. */
    public Optional<SecurityIdentity> authenticate(String secret) {
        byte[] hash = Secrets.hash(secret);
        if (hash == null || !secret.startsWith(PREFIX)) {
            return Optional.empty();
        }
        Instant now = time.now();
        Optional<ApiToken> token = ApiToken.find("secretHash", hash).firstResultOptional();
        return token.filter(t -> "active".equals(t.state(now))).map(t -> {
            if (t.lastUsedAt == null || t.lastUsedAt.isBefore(now.minusSeconds(60))) {
                t.lastUsedAt = now; // at most one write a minute per token
            }
            return Identities.of("token:" + t.name, "token:" + t.id, t.orgId, Role.parse(t.role));
        });
    }
}
