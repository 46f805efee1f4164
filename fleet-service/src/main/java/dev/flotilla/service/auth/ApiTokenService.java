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
import dev.flotilla.service.tenant.Role;
import io.quarkus.security.identity.SecurityIdentity;

/** Creates, checks, lists and revokes API tokens. */
@ApplicationScoped
@Transactional
public class ApiTokenService {
    /**
     * The most tokens that may stand between a token and the person who vouches for it (a token
     * made with a token made with a token...). Deeper ones cannot be made, and are refused if found.
     */
    static final int MAX_CHAIN = 10;

    static final String PREFIX = "flt_";
    static final Duration DEFAULT_TTL = Duration.ofDays(30);

    @Inject
    TimeService time;

    @Inject
    dev.flotilla.service.org.OrgService orgs;

    @Inject
    dev.flotilla.service.audit.AuditLog audit;

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
        if (depth(orgId, createdBy) > MAX_CHAIN) {
            throw ProblemException.conflict("at most " + MAX_CHAIN + " tokens may stand between a token and the"
                    + " person who made the first: make this one with a token made by a person");
        }
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
        audit.change(
                orgId,
                createdBy,
                "token.create",
                "token",
                t.id.toString(),
                null,
                java.util.Map.of("name", name, "role", t.role, "expiresAt", t.expiresAt.toString()));
        return new CreatedApiToken(t.view(now), secret);
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public List<ApiTokenView> list(UUID orgId) {
        Instant now = time.now();
        return ApiToken.<ApiToken>list("orgId = ?1 order by createdAt desc, id", orgId).stream()
                .map(t -> t.view(now))
                .toList();
    }

    public ApiTokenView revoke(UUID orgId, UUID id, String actor) {
        ApiToken t = ApiToken.<ApiToken>find("orgId = ?1 and id = ?2", orgId, id)
                .firstResultOptional()
                .orElseThrow(() -> ProblemException.notFound("API token " + id));
        if (t.revokedAt == null) {
            t.revokedAt = time.now();
            audit.change(
                    orgId,
                    actor,
                    "token.revoke",
                    "token",
                    id.toString(),
                    java.util.Map.of("name", t.name, "role", t.role),
                    null);
        }
        return t.view(time.now());
    }

    /** What checking a presented token found: an identity, or why not (and whose token it was, when known). */
    public record Verdict(SecurityIdentity identity, UUID orgId, String tokenId, String refusal) {}

    /**
     * Checks a presented token: unknown, malformed, expired and revoked tokens are refused, and so is
     * a token whose creator is no longer a member of its organization.
     */
    public Verdict authenticate(String secret) {
        byte[] hash = Secrets.hash(secret);
        if (hash == null || !secret.startsWith(PREFIX) || secret.length() != PREFIX.length() + 43) {
            return new Verdict(null, null, null, "the API token is malformed");
        }
        Instant now = time.now();
        Optional<ApiToken> found = ApiToken.find("secretHash", hash).firstResultOptional();
        if (found.isEmpty()) {
            return new Verdict(null, null, null, "the API token is unknown");
        }
        ApiToken t = found.get();
        String state = t.state(now);
        if (!"active".equals(state)) {
            return new Verdict(null, t.orgId, t.id.toString(), "the API token is " + state);
        }
        Chain chain = chain(t, now);
        if (chain.problem() != null) {
            return new Verdict(null, t.orgId, t.id.toString(), chain.problem());
        }
        if (t.lastUsedAt == null || t.lastUsedAt.isBefore(now.minusSeconds(60))) {
            t.lastUsedAt = now; // at most one write a minute per token
        }
        return new Verdict(
                Identities.of("token:" + t.name, "token:" + t.id, t.orgId, Role.parse(t.role), chain.root()),
                t.orgId,
                t.id.toString(),
                null);
    }

    /** Where a token's chain of makers ends ({@code root}: a person, or the system), or why it is refused. */
    private record Chain(String problem, String root) {}

    /**
     * Why the token's maker no longer vouches for it: a token made with a token is good only while
     * that one is; at the end of the chain, a person (or service account) must still be a member
     * with at least the token's role. Tokens made by the system (bootstrap) end the chain.
     */
    private Chain chain(ApiToken token, Instant now) {
        Role role = Role.parse(token.role);
        String by = token.createdBy;
        for (int hops = 0; by != null && by.startsWith("token:"); hops++) {
            if (hops >= MAX_CHAIN) {
                // Never accepted past the limit: the person at its root is not known to vouch for it.
                return new Chain("the API token was made through a chain of more than " + MAX_CHAIN + " tokens", null);
            }
            Optional<ApiToken> parent = parent(token.orgId, by);
            if (parent.isEmpty() || !"active".equals(parent.get().state(now))) {
                return new Chain("the API token that made this one is no longer valid", null);
            }
            by = parent.get().createdBy;
        }
        if (!isPerson(by)) {
            return new Chain(null, by);
        }
        Optional<Role> current = orgs.roleOf(token.orgId, by);
        if (current.isEmpty()) {
            return new Chain("the API token's creator is no longer a member of its organization", null);
        }
        if (!current.get().includes(role)) {
            return new Chain("the API token's creator no longer has the role " + role.wireName(), null);
        }
        return new Chain(null, by);
    }

    /** The token a {@code token:<id>} maker names, in the organization (empty when malformed or gone). */
    private static Optional<ApiToken> parent(UUID orgId, String by) {
        try {
            UUID id = UUID.fromString(by.substring("token:".length()));
            return ApiToken.find("orgId = ?1 and id = ?2", orgId, id).firstResultOptional();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** How many tokens stand between {@code by} and the person (or system) at the root of its chain. */
    private static int depth(UUID orgId, String by) {
        int depth = 0;
        while (by != null && by.startsWith("token:") && depth <= MAX_CHAIN) {
            Optional<ApiToken> parent = parent(orgId, by);
            if (parent.isEmpty()) {
                break;
            }
            depth++;
            by = parent.get().createdBy;
        }
        return depth;
    }

    private static boolean isPerson(String subject) {
        return subject != null
                && (subject.startsWith("account:") || subject.startsWith("oidc:") || subject.startsWith("client:"));
    }
}
