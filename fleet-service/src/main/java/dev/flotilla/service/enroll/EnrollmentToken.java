package dev.flotilla.service.enroll;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import dev.flotilla.api.rest.EnrollmentTokenView;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** Lets agents join an organization's fleet: expiring, limited in uses, revocable. */
@Entity
@Table(name = "enrollment_token")
public class EnrollmentToken extends PanacheEntityBase {
    @Id
    public UUID id;

    @Column(name = "org_id", nullable = false)
    public UUID orgId;

    @Column(nullable = false)
    public String name;

    @Column(name = "secret_hash", nullable = false)
    public byte[] secretHash;

    @Column(name = "max_uses", nullable = false)
    public int maxUses;

    @Column(nullable = false)
    public int uses;

    @Column(name = "created_by", nullable = false)
    public String createdBy;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "expires_at", nullable = false)
    public Instant expiresAt;

    @Column(name = "revoked_at")
    public Instant revokedAt;

    String state(Instant now) {
        if (revokedAt != null) {
            return "revoked";
        }
        if (!now.isBefore(expiresAt)) {
            return "expired";
        }
        return uses >= maxUses ? "used-up" : "active";
    }

    EnrollmentTokenView view(Instant now) {
        return new EnrollmentTokenView(id.toString(), name, maxUses, uses, createdAt, expiresAt, revokedAt, state(now));
    }
}
