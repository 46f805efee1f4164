package dev.flotilla.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Objects;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.flotilla.deploy.cnpg.Cluster;
import dev.flotilla.deploy.cnpg.ScheduledBackup;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CloudNativePG clusters: Flotilla's with a synchronous standby in production, the role
 * row-level security needs made at creation, backups of both in production, and a restore that
 * reads where production archives.
 */
class DatabaseTest {
    private static final String PRODUCTION = "overlays/production";

    static List<String> overlays() {
        return Kustomize.overlays();
    }

    @Test
    void shouldRunThreeInstancesWithASynchronousStandbyInProduction() {
        Cluster db = Manifests.of(PRODUCTION).named(Cluster.class, "flotilla-db");

        assertThat(db.spec().instances()).isEqualTo(3);
        assertThat(db.spec().postgresql().synchronous()).isEqualTo(new Cluster.Synchronous("any", 1, null));
        assertThat(db.spec().affinity().podAntiAffinityType()).isEqualTo("required");
    }

    /** A synchronous standby that cannot exist makes every commit wait for ever. */
    @ParameterizedTest
    @MethodSource("overlays")
    void shouldAskForNoMoreSynchronousStandbysThanThereAre(String overlay) {
        for (Cluster cluster : Manifests.of(overlay).all(Cluster.class)) {
            Cluster.Postgresql postgresql = cluster.spec().postgresql();
            if (postgresql != null && postgresql.synchronous() != null) {
                assertThat(postgresql.synchronous().number())
                        .as(cluster.metadata().getName() + " synchronous standbys")
                        .isLessThan(cluster.spec().instances());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void shouldCreateTheDatabaseAndTheTenantRoleForTheService(String overlay) throws IOException {
        Cluster.InitDb initdb = Manifests.of(overlay)
                .named(Cluster.class, "flotilla-db")
                .spec()
                .bootstrap()
                .initdb();
        if (initdb == null) {
            return; // a recovery: the roles come with the backup (shouldRestoreFromWhereProductionArchives)
        }
        String migration = Files.readString(
                Kustomize.ROOT.resolve("db-migrations/src/main/resources/db/migration/V12__row_level_security.sql"));

        assertThat(initdb.database()).isEqualTo("flotilla");
        assertThat(initdb.owner()).isEqualTo("flotilla");
        assertThat(migration).contains("create role flotilla_tenant");
        assertThat(initdb.postInitApplicationSQL())
                .containsExactly("create role flotilla_tenant nologin", "grant flotilla_tenant to flotilla");
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void shouldLetPrometheusScrapeEveryDatabase(String overlay) {
        assertThat(Manifests.of(overlay).all(Cluster.class))
                .isNotEmpty()
                .allSatisfy(c ->
                        assertThat(c.spec().monitoring().enablePodMonitor()).isTrue());
    }

    @Test
    void shouldBackUpEveryDatabaseInProduction() {
        Manifests production = Manifests.of(PRODUCTION);

        for (Cluster cluster : production.all(Cluster.class)) {
            String name = cluster.metadata().getName();
            Cluster.BarmanObjectStore store = cluster.spec().backup().barmanObjectStore();
            assertThat(store.destinationPath()).as(name).startsWith("s3://");
            assertThat(store.s3Credentials().accessKeyId().name()).as(name).isEqualTo("flotilla-backup-s3");
            assertThat(store.s3Credentials().secretAccessKey().name()).as(name).isEqualTo("flotilla-backup-s3");
            assertThat(production.all(ScheduledBackup.class))
                    .as(name + " has a scheduled base backup")
                    .anySatisfy(b -> assertThat(b.spec().cluster().name()).isEqualTo(name));
        }
        assertThat(production.all(ScheduledBackup.class))
                .allSatisfy(b -> assertThat(b.spec().schedule().split(" "))
                        .as("six fields")
                        .hasSize(6));
    }

    @Test
    void shouldRestoreFromWhereProductionArchivesIntoAFreshArchive() {
        Cluster production = Manifests.of(PRODUCTION).named(Cluster.class, "flotilla-db");
        Cluster restored = Manifests.of("overlays/production-restore").named(Cluster.class, "flotilla-db");
        Cluster.Recovery recovery = restored.spec().bootstrap().recovery();

        assertThat(restored.spec().bootstrap().initdb()).isNull();
        assertThat(recovery.database()).isEqualTo("flotilla");
        assertThat(recovery.owner()).isEqualTo("flotilla");
        Cluster.BarmanObjectStore source = restored.spec().externalClusters().stream()
                .filter(c -> c.name().equals(recovery.source()))
                .findFirst()
                .orElseThrow()
                .barmanObjectStore();
        Cluster.BarmanObjectStore archived = production.spec().backup().barmanObjectStore();
        // An archive's folder is its serverName, by default the cluster's name.
        String productionFolder = Objects.requireNonNullElse(archived.serverName(), "flotilla-db");
        assertThat(source.destinationPath()).isEqualTo(archived.destinationPath());
        assertThat(source.serverName()).isEqualTo(productionFolder);
        assertThat(source.s3Credentials()).isEqualTo(archived.s3Credentials());
        assertThat(restored.spec().backup().barmanObjectStore().serverName()).isNotEqualTo(productionFolder);
    }
}
