package dev.flotilla.service.org;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.core.Response;

import dev.flotilla.api.rest.CreatedInvitation;
import dev.flotilla.api.rest.InvitationView;
import dev.flotilla.api.rest.NewInvitation;
import dev.flotilla.api.rest.OrgView;
import dev.flotilla.service.audit.AuditLog;
import dev.flotilla.service.common.AuthMode;
import dev.flotilla.service.common.ProblemException;
import dev.flotilla.service.common.Secrets;
import dev.flotilla.service.common.SqlValues;
import dev.flotilla.service.common.TimeService;
import dev.flotilla.service.tenant.Role;

/**
 * Invitations to join an organization. The link holds a secret (stored hashed) and is handed to the
 * inviter once; whoever signs in with it and accepts becomes a member with the invited role. With
 * Keycloak sign-in the invitee's Keycloak user is created first ({@link IdentityDirectory}), and
 * only a person whose verified email address is the invited one may accept.
 */
@ApplicationScoped
public class InvitationService {
    public static final String PREFIX = "fli_";
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]{1,189}");
    private static final Duration DEFAULT_TTL = Duration.ofDays(7);
    private static final Duration MAX_TTL = Duration.ofDays(30);

    @Inject
    EntityManager em;

    @Inject
    TimeService time;

    @Inject
    AuditLog audit;

    @Inject
    OrgService orgs;

    @Inject
    Instance<IdentityDirectory> directory;

    /** Where people reach the dashboard, for invitation links. */
    @Inject
    LinksConfig links;

    @Inject
    AuthMode authMode;

    @Transactional
    /**
     * @param vouchedBy the person who vouches for it ({@link dev.flotilla.service.tenant.Actor#vouchedBy}):
     *     it is accepted only while they may still invite
     * @param requestBase the address the request came to, for the link when {@code
     *     flotilla.public-url} is not set
     */
    public CreatedInvitation create(
            UUID org,
            String caller,
            String vouchedBy,
            Role callerRole,
            NewInvitation request,
            java.net.URI requestBase) {
        if (request == null) {
            throw ProblemException.badRequest("a body with email and role is required");
        }
        String email = request.email() == null ? "" : request.email().strip().toLowerCase(Locale.ROOT);
        if (!EMAIL.matcher(email).matches()) {
            throw ProblemException.badRequest("email must be an email address");
        }
        Role role = Role.parse(request.role());
        if (role == null) {
            throw ProblemException.badRequest("role must be one of owner, admin, operator, viewer");
        }
        if (role == Role.OWNER && callerRole != Role.OWNER) {
            throw new ProblemException(Response.Status.FORBIDDEN, "only an owner may invite an owner");
        }
        Duration ttl = request.expiresIn() == null ? DEFAULT_TTL : request.expiresIn();
        if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_TTL) > 0) {
            throw ProblemException.badRequest("expiresIn must be a positive duration of at most 30 days (P30D)");
        }
        IdentityDirectory.Prepared prepared =
                authMode.keycloak() ? directory.get().prepare(email) : new IdentityDirectory.Prepared(null);
        String secret = Secrets.generate(PREFIX);
        UUID id = UUID.randomUUID();
        Instant now = time.now().truncatedTo(ChronoUnit.MICROS);
        em.createNativeQuery("""
                        insert into invitation (org_id, id, email, role, secret_hash, invited_by, vouched_by,
                            idp_user_id, created_at, expires_at)
                        values (:o, :id, :e, :r, :h, :b, :v, :u, :c, :x)""")
                .setParameter("o", org)
                .setParameter("id", id)
                .setParameter("e", email)
                .setParameter("r", role.wireName())
                .setParameter("h", Secrets.hash(secret))
                .setParameter("b", caller)
                .setParameter("v", vouchedBy)
                .setParameter("u", prepared.userId())
                .setParameter("c", now)
                .setParameter("x", now.plus(ttl))
                .executeUpdate();
        audit.change(
                org,
                caller,
                "invitation.create",
                "invitation",
                id.toString(),
                null,
                Map.of("email", email, "role", role.wireName()));
        return new CreatedInvitation(
                get(org, id),
                links.publicUrl().orElse(requestBase.toString()).replaceAll("/+$", "") + "/invitations/" + secret);
    }

    @Transactional
    @SuppressWarnings("unchecked")
    public List<InvitationView> list(UUID org) {
        List<Object[]> rows = em.createNativeQuery(SELECT + " where org_id = :o order by created_at desc, id")
                .setParameter("o", org)
                .getResultList();
        Instant now = time.now();
        return rows.stream().map(r -> view(r, now)).toList();
    }

    @Transactional
    public InvitationView get(UUID org, UUID id) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery(SELECT + " where org_id = :o and id = :id")
                .setParameter("o", org)
                .setParameter("id", id)
                .getResultList();
        return rows.stream()
                .findFirst()
                .map(r -> view(r, time.now()))
                .orElseThrow(() -> ProblemException.notFound("invitation " + id));
    }

    @Transactional
    public InvitationView revoke(UUID org, UUID id, String caller) {
        InvitationView before = get(org, id);
        if (before.state().equals("pending")) {
            em.createNativeQuery("update invitation set revoked_at = now() where org_id = :o and id = :id")
                    .setParameter("o", org)
                    .setParameter("id", id)
                    .executeUpdate();
            audit.change(
                    org,
                    caller,
                    "invitation.revoke",
                    "invitation",
                    id.toString(),
                    Map.of("email", before.email()),
                    null);
        }
        return get(org, id);
    }

    /**
     * Accepts an invitation for a signed-in person. This looks the invitation up by its secret,
     * across organizations (the person is not a member yet): it runs outside the tenant scope.
     */
    @Transactional
    @SuppressWarnings("unchecked")
    public OrgView accept(String secret, String subject, String displayName, String email) {
        byte[] hash = Secrets.hash(secret);
        List<Object[]> rows = hash == null || !secret.startsWith(PREFIX)
                ? List.of()
                : em.createNativeQuery(SELECT + " where secret_hash = :h for update")
                        .setParameter("h", hash)
                        .getResultList();
        if (rows.isEmpty()) {
            throw ProblemException.notFound("invitation");
        }
        Object[] row = rows.get(0);
        UUID org = (UUID) row[9];
        InvitationView inv = view(row, time.now());
        if (!inv.state().equals("pending")) {
            throw new ProblemException(Response.Status.GONE, "this invitation is " + inv.state());
        }
        if (email == null && authMode.keycloak()) {
            throw new ProblemException(
                    Response.Status.FORBIDDEN,
                    "this invitation is for " + inv.email() + ": verify that address in Keycloak first");
        }
        if (email != null && !email.equalsIgnoreCase(inv.email())) {
            throw new ProblemException(
                    Response.Status.FORBIDDEN, "this invitation is for " + inv.email() + ", not for " + email);
        }
        if (orgs.isMember(org, subject)) {
            throw ProblemException.conflict("you are a member of this organization already");
        }
        // Whoever vouched for it must still be allowed to make it: a member removed or demoted since
        // (through whatever token they made it with) lets no one in.
        String voucher = voucher(org, UUID.fromString(inv.id()));
        if (voucher != null && voucher.matches("(account|oidc|client):.*")) {
            Role now = orgs.roleOf(org, voucher).orElse(null);
            Role invited = Role.parse(inv.role());
            if (now == null || !now.includes(Role.ADMIN) || !now.includes(invited)) {
                em.createNativeQuery("update invitation set revoked_at = now() where org_id = :o and id = :id")
                        .setParameter("o", org)
                        .setParameter("id", UUID.fromString(inv.id()))
                        .executeUpdate();
                audit.change(
                        org, "system", "invitation.revoke", "invitation", inv.id(), "its maker may no longer invite");
                throw new ProblemException(
                        Response.Status.GONE,
                        "this invitation was revoked: the member who made it may no longer invite");
            }
        }
        orgs.addMember(
                org,
                subject,
                displayName,
                email != null ? email : inv.email(),
                Role.parse(inv.role()),
                "invitation:" + inv.id());
        em.createNativeQuery(
                        "update invitation set accepted_at = now(), accepted_by = :s where org_id = :o and id = :id")
                .setParameter("s", subject)
                .setParameter("o", org)
                .setParameter("id", UUID.fromString(inv.id()))
                .executeUpdate();
        audit.change(
                org,
                subject,
                "invitation.accept",
                "invitation",
                inv.id(),
                null,
                Map.of("member", subject, "role", inv.role()));
        return orgs.views(subject, org).stream()
                .filter(o -> o.id().equals(org.toString()))
                .findFirst()
                .orElseThrow();
    }

    /** The subject that vouches for an invitation (its maker for invitations made before vouching was kept). */
    private String voucher(UUID org, UUID id) {
        @SuppressWarnings("unchecked")
        List<String> rows = em.createNativeQuery(
                        "select coalesce(vouched_by, invited_by) from invitation where org_id = :o and id = :id")
                .setParameter("o", org)
                .setParameter("id", id)
                .getResultList();
        return rows.isEmpty() ? null : rows.get(0);
    }

    /** What an invitation link offers, for the page it opens: empty when there is no such invitation. */
    public record Offer(String orgName, String orgSlug, String role, String email, String state) {}

    @Transactional
    @SuppressWarnings("unchecked")
    public java.util.Optional<Offer> peek(String secret) {
        byte[] hash = Secrets.hash(secret);
        if (hash == null || !secret.startsWith(PREFIX)) {
            return java.util.Optional.empty();
        }
        List<Object[]> rows = em.createNativeQuery("""
                        select o.name, o.slug, i.role, i.email,
                               case when i.accepted_at is not null then 'accepted'
                                    when i.revoked_at is not null then 'revoked'
                                    when i.expires_at < now() then 'expired' else 'pending' end
                        from invitation i join organization o on o.id = i.org_id
                        where i.secret_hash = :h""").setParameter("h", hash).getResultList();
        return rows.stream()
                .findFirst()
                .map(r -> new Offer((String) r[0], (String) r[1], (String) r[2], (String) r[3], (String) r[4]));
    }

    private static final String SELECT = """
            select id, email, role, invited_by, created_at, expires_at, accepted_at, accepted_by, revoked_at, org_id
            from invitation""";

    private static InvitationView view(Object[] r, Instant now) {
        Instant expires = SqlValues.instant(r[5]);
        Instant accepted = SqlValues.instant(r[6]);
        Instant revoked = SqlValues.instant(r[8]);
        String state = accepted != null
                ? "accepted"
                : revoked != null ? "revoked" : expires.isBefore(now) ? "expired" : "pending";
        return new InvitationView(
                r[0].toString(),
                (String) r[1],
                (String) r[2],
                (String) r[3],
                SqlValues.instant(r[4]),
                expires,
                accepted,
                (String) r[7],
                state);
    }
}
