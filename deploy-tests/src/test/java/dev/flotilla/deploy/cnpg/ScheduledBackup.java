package dev.flotilla.deploy.cnpg;

import io.fabric8.kubernetes.api.model.ObjectMeta;

/**
 * A CloudNativePG {@code ScheduledBackup} ({@code postgresql.cnpg.io/v1}) with exactly the fields
 * these manifests use, named as in its CRD
 * ({@code config/crd/bases/postgresql.cnpg.io_scheduledbackups.yaml} of cloudnative-pg;
 * {@code docs/src/backup.md}). Read strictly, like {@link Cluster}.
 */
public record ScheduledBackup(String apiVersion, String kind, ObjectMeta metadata, Spec spec) {
    /** {@code ScheduledBackupSpec}; {@code schedule} has six fields, seconds first. */
    public record Spec(String schedule, String backupOwnerReference, String method, ClusterReference cluster) {}

    /** {@code LocalObjectReference}. */
    public record ClusterReference(String name) {}
}
