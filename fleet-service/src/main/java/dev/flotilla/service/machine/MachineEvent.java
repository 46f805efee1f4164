package dev.flotilla.service.machine;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import dev.flotilla.api.rest.MachineEventView;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** One entry of a machine's history. Appended, never changed. */
@Entity
@Table(name = "machine_event")
public class MachineEvent extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "org_id", nullable = false)
    public UUID orgId;

    @Column(name = "machine_id", nullable = false)
    public String machineId;

    @Column(nullable = false)
    public String kind;

    @Column(name = "from_presence")
    public String fromPresence;

    @Column(name = "to_presence")
    public String toPresence;

    @Column(nullable = false)
    public Instant at;

    public String detail;

    static MachineEvent of(UUID orgId, String machineId, String kind, Instant at, String detail) {
        MachineEvent e = new MachineEvent();
        e.orgId = orgId;
        e.machineId = machineId;
        e.kind = kind;
        e.at = at;
        e.detail = detail;
        return e;
    }

    MachineEventView view() {
        return new MachineEventView(id, kind, fromPresence, toPresence, at, detail);
    }
}
