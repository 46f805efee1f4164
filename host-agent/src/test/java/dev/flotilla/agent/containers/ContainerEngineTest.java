package dev.flotilla.agent.containers;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reading the engines' words: events as Docker and Podman write them (samples of their /events
 * streams), and their times. The engine itself is exercised by system-tests' ContainerWatcherTest.
 */
class ContainerEngineTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ID = "4bb75c8a0a77e77f0211c7bf43fd8bff28e6b42912e04ca6e4a015b0f2383d6f";

    private static ContainerEngine.Event event(String json) throws Exception {
        return ContainerEngine.event(JSON.readTree(json));
    }

    @Test
    void shouldReadPodmansEvents() throws Exception {
        ContainerEngine.Event start = event("{\"status\":\"start\",\"id\":\"" + ID + "\",\"Type\":\"container\","
                + "\"Action\":\"start\",\"Actor\":{\"ID\":\"" + ID + "\",\"Attributes\":{\"image\":"
                + "\"docker.io/flotilla-test/busybox:latest\",\"name\":\"web1\"}},\"time\":1795942123}");
        assertThat(start)
                .isEqualTo(
                        new ContainerEngine.Event(ID, "start", "web1", "docker.io/flotilla-test/busybox:latest", null));
        assertThat(start.state()).isEqualTo("running");
        ContainerEngine.Event health = event("{\"Type\":\"container\",\"Action\":\"health_status\",\"Actor\":{\"ID\":\""
                + ID + "\",\"Attributes\":{\"name\":\"web1\",\"health_status\":\"unhealthy\"}}}");
        assertThat(health.action()).isEqualTo("health_status");
        assertThat(health.health()).isEqualTo("unhealthy");
        assertThat(health.state()).isNull();
    }

    @Test
    void shouldReadDockersEvents() throws Exception {
        ContainerEngine.Event health = event("{\"Type\":\"container\",\"Action\":\"health_status: healthy\","
                + "\"Actor\":{\"ID\":\"" + ID + "\",\"Attributes\":{\"name\":\"db\",\"image\":\"postgres:16\"}}}");
        assertThat(health.health()).isEqualTo("healthy");
        assertThat(health.name()).isEqualTo("db");
        assertThat(event("{\"Action\":\"die\",\"Actor\":{\"ID\":\"" + ID + "\"}}")
                        .state())
                .isEqualTo("exited");
        assertThat(event("{\"Action\":\"destroy\",\"Actor\":{\"ID\":\"" + ID + "\"}}")
                        .state())
                .isEqualTo("removed");
        assertThat(event("{\"Action\":\"kill\",\"Actor\":{\"ID\":\"" + ID + "\"}}")
                        .state())
                .isNull();
        assertThat(event("{\"Action\":\"exec_start: sh\",\"Actor\":{\"ID\":\"" + ID + "\"}}")
                        .action())
                .startsWith("exec_");
    }

    @Test
    void shouldReadTheEnginesTimesAndItsZeroTimeAsNever() {
        assertThat(ContainerEngine.time("2026-11-29T08:48:55.077609978Z"))
                .isEqualTo(Instant.parse("2026-11-29T08:48:55.077609978Z"));
        assertThat(ContainerEngine.time("2026-11-29T09:48:55.5+01:00"))
                .isEqualTo(Instant.parse("2026-11-29T08:48:55.5Z"));
        assertThat(ContainerEngine.time("0001-01-01T00:00:00Z")).isNull();
        assertThat(ContainerEngine.time("yesterday")).isNull();
        assertThat(ContainerEngine.time(null)).isNull();
    }

    @Test
    void shouldReportAChangeOnlyWhenMoreThanTheStatusTextChanges() {
        var a = new dev.flotilla.api.protocol.ContainerState(
                ID, "web1", "img", "running", "Up 5 seconds", null, Instant.EPOCH, Instant.EPOCH, null);
        var b = new dev.flotilla.api.protocol.ContainerState(
                ID, "web1", "img", "running", "Up 2 minutes", null, Instant.EPOCH, Instant.EPOCH, null);
        var c = new dev.flotilla.api.protocol.ContainerState(
                ID, "web1", "img", "running", "Up 2 minutes", "healthy", Instant.EPOCH, Instant.EPOCH, null);
        assertThat(ContainerWatcher.sameApartFromStatus(a, b)).isTrue();
        assertThat(ContainerWatcher.sameApartFromStatus(b, c)).isFalse();
    }
}
