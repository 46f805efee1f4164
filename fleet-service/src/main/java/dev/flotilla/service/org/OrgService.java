package dev.flotilla.service.org;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.core.Response;

import dev.flotilla.api.rest.MemberView;
import dev.flotilla.api.rest.NewOrg;
import dev.flotilla.api.rest.OrgView;
import dev.flotilla.service.audit.AuditLog;
import dev.flotilla.service.common.AdvisoryLocks;
import dev.flotilla.service.common.ProblemException;
import dev.flotilla.service.common.SqlValues;
import dev.flotilla.service.tenant.QuotaConfig;
import dev.flotilla.service.tenant.Role;

/** Organizations and their members. */
@ApplicationScoped
public class OrgService {
    @Inject
    QuotaConfig quotas;

    private static final Pattern SLUG = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    @Inject
    EntityManager em;

    @Inject
    AuditLog audit;

    /**
     * The membership a person acts in: the organization named by {@code wanted} (slug or id) when
     * they belong to it, else, unless {@code strict}, their oldest membership.
     */
    @Transactional
    public Optional<Membership> choose(String subject, String wanted, boolean strict) {
        List<Membership> all = of(subject);
        if (wanted != null && !wanted.isBlank()) {
            Optional<Membership> named = all.stream()
                    .filter(m -> m.slug().equals(wanted) || m.orgId().toString().equals(wanted))
                    .findFirst();
            if (named.isPresent() || strict) {
                return named;
            }
        }
        return all.stream().findFirst();
    }

    /** A person's organizations, oldest membership first. */
    @Transactional
    @SuppressWarnings("unchecked")
    public List<Membership> of(String subject) {
        List<Object[]> rows =
                em.createNativeQuery("""
                        select o.id, o.slug, o.name, m.role, o.created_at
                        from member m join organization o on o.id = m.org_id
                        where m.subject = :s
                        order by m.created_at, o.slug""").setParameter("s", subject).getResultList();
        return rows.stream()
                .map(r -> new Membership(
                        (UUID) r[0], (String) r[1], (String) r[2], Role.parse((String) r[3]), SqlValues.instant(r[4])))
                .toList();
    }

    public List<OrgView> views(String subject, UUID current) {
        return of(subject).stream()
                .map(m -> new OrgView(
                        m.orgId().toString(),
                        m.slug(),
                        m.name(),
                        m.role().wireName(),
                        m.orgId().equals(current),
                        m.orgCreatedAt()))
                .toList();
    }

    /** The one organization of an API token. */
    @Transactional
    public List<OrgView> tokenOrg(UUID org, Role role) {
        Object[] r =
                (Object[]) em.createNativeQuery("select id, slug, name, created_at from organization where id = :o")
                        .setParameter("o", org)
                        .getSingleResult();
        return List.of(new OrgView(
                r[0].toString(), (String) r[1], (String) r[2], role.wireName(), true, SqlValues.instant(r[3])));
    }

    /** Creates an organization with {@code subject} as its first owner. */
    @Transactional
    public OrgView create(String subject, String displayName, String email, NewOrg request) {
        if (request == null) {
            throw ProblemException.badRequest("a body with slug and name is required");
        }
        String slug = request.slug() == null ? "" : request.slug().trim();
        if (!SLUG.matcher(slug).matches()) {
            throw ProblemException.badRequest(
                    "slug must be 1 to 63 lower-case letters, digits and dashes, starting with a letter or digit");
        }
        String name = request.name() == null ? "" : request.name().strip();
        if (name.isEmpty() || name.length() > 100) {
            throw ProblemException.badRequest("name must be 1 to 100 characters");
        }
        // Each organization multiplies quotas and rate buckets: a person may own only so many.
        em.createNativeQuery("select pg_advisory_xact_lock(" + AdvisoryLocks.ORG_CREATION + ", hashtext(:s))")
                .setParameter("s", subject)
                .getSingleResult();
        Number owned =
                (Number) em.createNativeQuery("select count(*) from member where subject = :s and role = 'owner'")
                        .setParameter("s", subject)
                        .getSingleResult();
        if (owned.longValue() >= quotas.orgsPerPerson()) {
            throw ProblemException.conflict("quota reached: a person may own at most " + quotas.orgsPerPerson()
                    + " organizations (flotilla.quota.orgs-per-person)");
        }
        Number taken = (Number) em.createNativeQuery("select count(*) from organization where slug = :s")
                .setParameter("s", slug)
                .getSingleResult();
        if (taken.longValue() > 0) {
            throw ProblemException.conflict("the slug " + slug + " is taken");
        }
        UUID id = UUID.randomUUID();
        Instant createdAt;
        try {
            createdAt = (Instant) em.createNativeQuery(
                            "insert into organization (id, slug, name) values (:id, :s, :n) returning created_at",
                            Instant.class)
                    .setParameter("id", id)
                    .setParameter("s", slug)
                    .setParameter("n", name)
                    .getSingleResult();
        } catch (jakarta.persistence.PersistenceException e) {
            // the same slug created at the same moment by someone else: the unique index decides
            throw ProblemException.conflict("the slug " + slug + " is taken");
        }
        addMember(id, subject, displayName, email, Role.OWNER, subject);
        audit.change(id, subject, "org.create", "org", slug, null, Map.of("slug", slug, "name", name));
        return new OrgView(id.toString(), slug, name, Role.OWNER.wireName(), false, createdAt);
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public void addMember(UUID org, String subject, String displayName, String email, Role role, String addedBy) {
        em.createNativeQuery("""
                        insert into member (org_id, subject, display_name, email, role, added_by)
                        values (:o, :s, :d, :e, :r, :b)""")
                .setParameter("o", org)
                .setParameter("s", subject)
                .setParameter("d", displayName)
                .setParameter("e", email)
                .setParameter("r", role.wireName())
                .setParameter("b", addedBy)
                .executeUpdate();
    }

    /** A Keycloak service account (client credentials) as a member. */
    @Transactional
    public MemberView addServiceAccount(
            UUID org, String clientId, String name, Role role, String caller, String vouchedBy) {
        String subject = "client:" + clientId;
        if (isMember(org, subject)) {
            throw ProblemException.conflict("the service account " + name + " exists already");
        }
        addMember(org, subject, name, null, role, caller);
        em.createNativeQuery("update member set vouched_by = :v where org_id = :o and subject = :s")
                .setParameter("v", vouchedBy)
                .setParameter("o", org)
                .setParameter("s", subject)
                .executeUpdate();
        audit.change(
                org,
                caller,
                "service-account.create",
                "member",
                subject,
                null,
                Map.of("clientId", clientId, "role", role.wireName()));
        return members(org).stream()
                .filter(m -> m.subject().equals(subject))
                .findFirst()
                .orElseThrow();
    }

    @Transactional
    @SuppressWarnings("unchecked")
    public List<MemberView> members(UUID org) {
        List<Object[]> rows = em.createNativeQuery("""
                        select id, subject, display_name, email, role, added_by, created_at
                        from member where org_id = :o order by lower(display_name), id""").setParameter("o", org).getResultList();
        return rows.stream().map(OrgService::member).toList();
    }

    private static MemberView member(Object[] r) {
        return new MemberView(
                r[0].toString(),
                (String) r[1],
                (String) r[2],
                (String) r[3],
                (String) r[4],
                (String) r[5],
                SqlValues.instant(r[6]));
    }

    @Transactional
    public MemberView member(UUID org, UUID id) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                        select id, subject, display_name, email, role, added_by, created_at
                        from member where org_id = :o and id = :id for update""")
                .setParameter("o", org)
                .setParameter("id", id)
                .getResultList();
        return rows.stream()
                .findFirst()
                .map(OrgService::member)
                .orElseThrow(() -> ProblemException.notFound("member " + id));
    }

    /** A member after a role change, and the service accounts that went with the demotion. */
    public record Changed(MemberView member, List<String> serviceAccountsRemoved) {}

    /** A removed member, and the service accounts to delete from Keycloak (theirs, and the member itself if one). */
    public record Removed(MemberView member, List<String> serviceAccounts) {}

    /** Changes a member's role. Only an owner makes or unmakes an owner; the last owner stays one. */
    @Transactional
    public Changed changeRole(UUID org, UUID id, String newRole, Role callerRole, String caller) {
        Role role = Role.parse(newRole == null ? null : newRole.toLowerCase(Locale.ROOT));
        if (role == null) {
            throw ProblemException.badRequest("role must be one of owner, admin, operator, viewer");
        }
        lockOwners(org);
        MemberView m = member(org, id);
        Role old = Role.parse(m.role());
        guardOwnerChange(old, role, callerRole);
        if (old == Role.OWNER && role != Role.OWNER && owners(org) <= 1) {
            throw ProblemException.conflict("the last owner cannot step down: make another member owner first");
        }
        em.createNativeQuery("update member set role = :r where org_id = :o and id = :id")
                .setParameter("r", role.wireName())
                .setParameter("o", org)
                .setParameter("id", id)
                .executeUpdate();
        List<String> removed = role.includes(old) ? List.of() : revokeBeyond(org, m.subject(), role, caller);
        audit.change(
                org,
                caller,
                "member.role",
                "member",
                m.subject(),
                Map.of("role", old.wireName()),
                Map.of("role", role.wireName()));
        return new Changed(member(org, id), removed);
    }

    /** Removes a member: their sessions and the API tokens they created stop working at their next request. */
    @Transactional
    public Removed remove(UUID org, UUID id, Role callerRole, String caller) {
        lockOwners(org);
        MemberView m = member(org, id);
        Role old = Role.parse(m.role());
        guardOwnerChange(old, old, callerRole);
        if (old == Role.OWNER && owners(org) <= 1) {
            throw ProblemException.conflict("the last owner cannot be removed");
        }
        em.createNativeQuery("delete from member where org_id = :o and id = :id")
                .setParameter("o", org)
                .setParameter("id", id)
                .executeUpdate();
        // What they made and vouch for goes with them: pending invitations (no way back in through a
        // second account) and the service accounts whose secrets they hold, however they made them.
        List<String> accounts = new java.util.ArrayList<>(revokeBeyond(org, m.subject(), null, caller));
        if (m.subject().startsWith("client:")) {
            accounts.add(m.subject());
        }
        audit.change(
                org, caller, "member.remove", "member", m.subject(), Map.of("name", m.name(), "role", m.role()), null);
        return new Removed(m, accounts);
    }

    /**
     * Revokes what {@code subject} vouches for beyond {@code role} (null: all of it, on removal):
     * pending invitations they may no longer make (all of them below admin), and service accounts
     * of a role above theirs (whose secret they hold).
     * Returns the service accounts removed, whose Keycloak clients the caller deletes.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    @SuppressWarnings("unchecked")
    public List<String> revokeBeyond(UUID org, String subject, Role role, String caller) {
        // "-" stands for no role at all: an empty IN list is not SQL.
        List<String> mayInvite = role == null || !role.includes(Role.ADMIN) ? List.of("-") : within(role);
        List<String> mayHold = role == null ? List.of("-") : within(role);
        int invitations = em.createNativeQuery("update invitation set revoked_at = now() where org_id = :o"
                        + " and coalesce(vouched_by, invited_by) = :s and accepted_at is null and revoked_at is null"
                        + " and role not in (:allowed)")
                .setParameter("o", org)
                .setParameter("s", subject)
                .setParameter("allowed", mayInvite)
                .executeUpdate();
        List<String> accounts = em.createNativeQuery("delete from member where org_id = :o and subject like 'client:%'"
                        + " and coalesce(vouched_by, added_by) = :s and role not in (:allowed) returning subject")
                .setParameter("o", org)
                .setParameter("s", subject)
                .setParameter("allowed", mayHold)
                .getResultList();
        if (invitations > 0 || !accounts.isEmpty()) {
            audit.change(
                    org,
                    caller,
                    "member.revoke-made",
                    "member",
                    subject,
                    invitations + " pending invitation(s) revoked, service accounts removed: " + accounts);
        }
        return accounts;
    }

    private static List<String> within(Role role) {
        return java.util.Arrays.stream(Role.values())
                .filter(role::includes)
                .map(Role::wireName)
                .toList();
    }

    /** A member's current role, or empty when {@code subject} is not a member of {@code org}. */
    @Transactional
    @SuppressWarnings("unchecked")
    public java.util.Optional<Role> roleOf(UUID org, String subject) {
        List<String> roles = em.createNativeQuery("select role from member where org_id = :o and subject = :s")
                .setParameter("o", org)
                .setParameter("s", subject)
                .getResultList();
        return roles.stream().findFirst().map(Role::parse);
    }

    private static void guardOwnerChange(Role old, Role role, Role callerRole) {
        if ((old == Role.OWNER || role == Role.OWNER) && callerRole != Role.OWNER) {
            throw new ProblemException(Response.Status.FORBIDDEN, "only an owner may make, change or remove an owner");
        }
    }

    private void lockOwners(UUID org) {
        // Two owners demoting each other at once must not leave the organization without one.
        em.createNativeQuery("select pg_advisory_xact_lock(" + AdvisoryLocks.OWNERS + ", hashtext(cast(:o as text)))")
                .setParameter("o", org.toString())
                .getSingleResult();
    }

    private long owners(UUID org) {
        return ((Number) em.createNativeQuery("select count(*) from member where org_id = :o and role = 'owner'")
                        .setParameter("o", org)
                        .getSingleResult())
                .longValue();
    }

    /** Whether {@code subject} is (still) a member of {@code org}. */
    @Transactional
    public boolean isMember(UUID org, String subject) {
        return ((Number) em.createNativeQuery("select count(*) from member where org_id = :o and subject = :s")
                                .setParameter("o", org)
                                .setParameter("s", subject)
                                .getSingleResult())
                        .longValue()
                > 0;
    }
}
