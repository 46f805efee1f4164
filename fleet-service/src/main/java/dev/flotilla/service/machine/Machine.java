package dev.flotilla.service.machine;

import java.io.Serializable;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import dev.flotilla.api.protocol.Facts;
import dev.flotilla.api.rest.MachineView;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** A host with an agent, named by its {@code /etc/machine-id} within its organization. */
@Entity
@Table(name = "machine")
@IdClass(Machine.Key.class)
public class Machine extends PanacheEntityBase {
    @Id
    @Column(name = "org_id")
    public UUID orgId;

    @Id
    public String id;

    @Column(nullable = false)
    public String hostname;

    @Column(name = "credential_hash", nullable = false)
    public byte[] credentialHash;

    /** A credential issued over the session and not yet confirmed by the agent (rotation). */
    @Column(name = "next_credential_hash")
    public byte[] nextCredentialHash;

    @Column(name = "credential_rotation_requested_at")
    public Instant credentialRotationRequestedAt;

    @Column(name = "credential_rotated_at")
    public Instant credentialRotatedAt;

    @Column(nullable = false)
    public String presence;

    @Column(name = "presence_since", nullable = false)
    public Instant presenceSince;

    @Column(name = "last_seen_at")
    public Instant lastSeenAt;

    @Column(name = "session_id")
    public UUID sessionId;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "agent_labels", nullable = false)
    public Map<String, String> agentLabels;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "operator_labels", nullable = false)
    public Map<String, String> operatorLabels;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public Map<String, String> labels;

    @JdbcTypeCode(SqlTypes.JSON)
    public Facts facts;

    @Column(name = "agent_version")
    public String agentVersion;

    @Column(name = "enrolled_with")
    public UUID enrolledWith;

    @Column(name = "enrolled_at", nullable = false)
    public Instant enrolledAt;

    public MachineView view() {
        return new MachineView(
                id,
                hostname,
                presence,
                presenceSince,
                lastSeenAt,
                labels,
                agentLabels,
                facts,
                agentVersion,
                enrolledAt);
    }

    /** The primary key: organization, then machine id. */
    public static class Key implements Serializable {
        public UUID orgId;
        public String id;

        public Key() {}

        public Key(UUID orgId, String id) {
            this.orgId = orgId;
            this.id = id;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(orgId, k.orgId) && Objects.equals(id, k.id);
        }

        @Override
        public int hashCode() {
            return Objects.hash(orgId, id);
        }
    }
}
