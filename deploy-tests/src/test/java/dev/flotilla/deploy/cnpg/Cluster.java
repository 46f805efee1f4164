package dev.flotilla.deploy.cnpg;

import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/**
 * A CloudNativePG {@code Cluster} ({@code postgresql.cnpg.io/v1}) with exactly the fields these
 * manifests use, named as in its CRD ({@code config/crd/bases/postgresql.cnpg.io_clusters.yaml} of
 * cloudnative-pg; described in its {@code docs/src/cloudnative-pg.v1.md}, {@code replication.md},
 * {@code bootstrap.md}, {@code recovery.md} and {@code appendixes/backup_barmanobjectstore.md}).
 * fabric8 has no model for it. Read strictly, a field that is not here fails: a field the manifests
 * start to use must be added here, spelt as the CRD spells it.
 */
public record Cluster(String apiVersion, String kind, ObjectMeta metadata, Spec spec) {
    /** {@code ClusterSpec}. */
    public record Spec(
            Integer instances,
            String imageName,
            String primaryUpdateStrategy,
            Postgresql postgresql,
            Bootstrap bootstrap,
            Storage storage,
            ResourceRequirements resources,
            Monitoring monitoring,
            Affinity affinity,
            Backup backup,
            List<ExternalCluster> externalClusters) {}

    /** {@code PostgresConfiguration}. */
    public record Postgresql(Map<String, String> parameters, Synchronous synchronous) {}

    /** {@code SynchronousReplicaConfiguration}: {@code method} {@code any} (quorum) or {@code first}. */
    public record Synchronous(String method, Integer number, String dataDurability) {}

    /** {@code BootstrapConfiguration}: one of its methods. */
    public record Bootstrap(InitDb initdb, Recovery recovery) {}

    /** {@code BootstrapInitDB}. */
    public record InitDb(String database, String owner, List<String> postInitApplicationSQL) {}

    /** {@code BootstrapRecovery}. */
    public record Recovery(String source, String database, String owner, RecoveryTarget recoveryTarget) {}

    /** {@code RecoveryTarget}. */
    public record RecoveryTarget(String targetTime) {}

    /** {@code StorageConfiguration}. */
    public record Storage(String size, String storageClass) {}

    /** {@code MonitoringConfiguration}. */
    public record Monitoring(Boolean enablePodMonitor) {}

    /** {@code AffinityConfiguration}. */
    public record Affinity(Boolean enablePodAntiAffinity, String topologyKey, String podAntiAffinityType) {}

    /** {@code BackupConfiguration}. */
    public record Backup(String retentionPolicy, BarmanObjectStore barmanObjectStore) {}

    /** barman-cloud's {@code BarmanObjectStoreConfiguration}. */
    public record BarmanObjectStore(
            String destinationPath, String serverName, S3Credentials s3Credentials, WalBackup wal, DataBackup data) {}

    /** {@code S3Credentials}: keys of Secrets. */
    public record S3Credentials(SecretKeySelector accessKeyId, SecretKeySelector secretAccessKey) {}

    /** {@code SecretKeySelector}. */
    public record SecretKeySelector(String name, String key) {}

    /** {@code WalBackupConfiguration}. */
    public record WalBackup(String compression, Integer maxParallel) {}

    /** {@code DataBackupConfiguration}. */
    public record DataBackup(String compression) {}

    /** {@code ExternalCluster}: here, where a recovery reads backups from. */
    public record ExternalCluster(String name, BarmanObjectStore barmanObjectStore) {}
}
