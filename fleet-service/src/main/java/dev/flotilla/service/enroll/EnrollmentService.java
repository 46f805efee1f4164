package dev.flotilla.service.enroll;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.core.Response;

import dev.flotilla.api.rest.CreatedEnrollmentToken;
import dev.flotilla.api.rest.EnrollmentRequest;
import dev.flotilla.api.rest.EnrollmentResponse;
import dev.flotilla.api.rest.EnrollmentTokenView;
import dev.flotilla.api.rest.NewEnrollmentToken;
import dev.flotilla.service.common.Checks;
import dev.flotilla.service.common.ProblemException;
import dev.flotilla.service.common.Secrets;
import dev.flotilla.service.common.TimeService;
import dev.flotilla.service.machine.MachineService;

/** Enrollment tokens, and the exchange of one for a machine credential. */
@ApplicationScoped
@Transactional
public class EnrollmentService {
    static final String TOKEN_PREFIX = "fle_";
    static final String CREDENTIAL_PREFIX = dev.flotilla.service.machine.MachineService.CREDENTIAL_PREFIX;
    private static final Pattern MACHINE_ID = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern HOSTNAME = Pattern.compile("[\\p{Graph}]{1,253}");

    @Inject
    dev.flotilla.service.tenant.Quotas quotas;

    @Inject
    EntityManager em;

    @Inject
    dev.flotilla.service.audit.AuditLog audit;

    @Inject
    TimeService time;

    @Inject
    MachineService machines;

    public CreatedEnrollmentToken create(UUID orgId, String createdBy, NewEnrollmentToken request) {
        if (request == null) {
            throw ProblemException.badRequest("a body with a name is required");
        }
        String name = Checks.name(request.name());
        int maxUses = request.maxUses() == null ? 1 : request.maxUses();
        if (maxUses < 1 || maxUses > 100_000) {
            throw ProblemException.badRequest("maxUses must be from 1 to 100000");
        }
        Duration ttl = Checks.ttl(request.ttl(), Duration.ofHours(24));
        Instant now = now();
        String secret = Secrets.generate(TOKEN_PREFIX);
        EnrollmentToken t = new EnrollmentToken();
        t.id = UUID.randomUUID();
        t.orgId = orgId;
        t.name = name;
        t.secretHash = Secrets.hash(secret);
        t.maxUses = maxUses;
        t.createdBy = createdBy;
        t.createdAt = now;
        t.expiresAt = now.plus(ttl);
        t.persist();
        return new CreatedEnrollmentToken(t.view(now), secret);
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public List<EnrollmentTokenView> list(UUID orgId) {
        Instant now = now();
        return EnrollmentToken.<EnrollmentToken>list("orgId = ?1 order by createdAt desc, id", orgId).stream()
                .map(t -> t.view(now))
                .toList();
    }

    public EnrollmentTokenView revoke(UUID orgId, UUID id) {
        EnrollmentToken t = EnrollmentToken.<EnrollmentToken>find("orgId = ?1 and id = ?2", orgId, id)
                .firstResultOptional()
                .orElseThrow(() -> ProblemException.notFound("enrollment token " + id));
        if (t.revokedAt == null) {
            t.revokedAt = now();
        }
        return t.view(now());
    }

    /**
     * Spends one use of an enrollment token on a new machine and returns the machine's credential.
     * The use is taken with one conditional update, so concurrent enrollments never exceed it; if
     * the machine cannot be added the whole transaction, that use included, rolls back.
     */
    public EnrollmentResponse enroll(EnrollmentRequest request) {
        if (request == null) {
            throw ProblemException.badRequest("a body with token, machineId and hostname is required");
        }
        if (request.machineId() == null
                || !MACHINE_ID.matcher(request.machineId()).matches()) {
            throw ProblemException.badRequest("machineId must be 32 lowercase hex digits, as in /etc/machine-id");
        }
        if (request.hostname() == null || !HOSTNAME.matcher(request.hostname()).matches()) {
            throw ProblemException.badRequest("hostname must be 1 to 253 visible characters");
        }
        byte[] hash = Secrets.hash(request.token());
        if (hash == null || !request.token().startsWith(TOKEN_PREFIX)) {
            throw new ProblemException(Response.Status.UNAUTHORIZED, "unknown enrollment token");
        }
        @SuppressWarnings("unchecked")
        List<Object[]> spent = em.createNativeQuery(
                        "update enrollment_token set uses = uses + 1 where secret_hash = :h and revoked_at is null"
                                + " and expires_at > :now and uses < max_uses returning org_id, id")
                .setParameter("h", hash)
                .setParameter("now", now())
                .getResultList();
        if (spent.isEmpty()) {
            throw new ProblemException(Response.Status.UNAUTHORIZED, rejection(hash));
        }
        UUID orgId = (UUID) spent.get(0)[0];
        UUID tokenId = (UUID) spent.get(0)[1];
        quotas.checkNewMachine(orgId);
        String credential = Secrets.generate(CREDENTIAL_PREFIX);
        machines.register(orgId, request.machineId(), request.hostname(), Secrets.hash(credential), tokenId);
        audit.change(
                orgId,
                "enrollment-token:" + tokenId,
                "machine.enroll",
                "machine",
                request.machineId(),
                null,
                java.util.Map.of("hostname", request.hostname()));
        return new EnrollmentResponse(request.machineId(), credential);
    }

    private String rejection(byte[] hash) {
        return EnrollmentToken.<EnrollmentToken>find("secretHash", hash)
                .firstResultOptional()
                .map(t -> "enrollment token is " + t.state(now()))
                .orElse("unknown enrollment token");
    }

    private Instant now() {
        return time.now().truncatedTo(ChronoUnit.MICROS);
    }
}
