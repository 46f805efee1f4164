package dev.flotilla.system;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.flotilla.agent.containers.ContainerWatcher;
import dev.flotilla.api.protocol.ContainerState;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The agent's container watcher against a real Docker-compatible engine (Podman's API service):
 * containers that exist before it starts, and changes after, each reported once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContainerWatcherTest {
    private TestEngine engine;

    @BeforeAll
    void start() throws Exception {
        engine = TestEngine.start();
    }

    @AfterAll
    void stop() throws Exception {
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void shouldReportContainersThatExistedBeforeAndEveryChangeAfterOnce() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 6);
        String before = engine.create("before-" + run, Map.of("app", "before"));
        engine.start(before);
        List<String> seen = new CopyOnWriteArrayList<>();
        try (ContainerWatcher watcher = new ContainerWatcher(List.of(engine.socket))) {
            watcher.start(new ContainerWatcher.Listener() {
                @Override
                public void containerChanged(ContainerState c) {
                    seen.add(c.name() + " " + c.state());
                }

                @Override
                public void containerRemoved(ContainerState c) {
                    seen.add(c.name() + " removed");
                }
            });
            // Nothing happens on the engine meanwhile: the watcher must not wait for an event.
            await().atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(seen).contains("before-" + run + " running"));
            assertThat(watcher.snapshot()).extracting(ContainerState::name).contains("before-" + run);

            String after = engine.create("after-" + run, Map.of());
            engine.start(after);
            engine.stop(after);
            engine.remove(after);
            engine.remove(before);
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(seen)
                            .containsSubsequence("after-" + run + " running", "after-" + run + " removed")
                            .contains("before-" + run + " removed"));
            // A state is reported when it changes, not at every event the engine sends about it.
            assertThat(seen.stream().filter(s -> s.equals("before-" + run + " running")))
                    .hasSize(1);
            assertThat(watcher.snapshot())
                    .extracting(ContainerState::name)
                    .doesNotContain("before-" + run, "after-" + run);
        }
    }

    @Test
    void shouldTreatAHostWithoutAnEngineAsNormal() throws Exception {
        try (ContainerWatcher watcher = new ContainerWatcher(List.of(Path.of("/nonexistent/docker.sock")))) {
            List<String> seen = new CopyOnWriteArrayList<>();
            watcher.start(new ContainerWatcher.Listener() {
                @Override
                public void containerChanged(ContainerState c) {
                    seen.add(c.name());
                }

                @Override
                public void containerRemoved(ContainerState c) {
                    seen.add(c.name());
                }
            });
            Thread.sleep(500);
            // null: "no engine to ask", so the service keeps what it knew rather than clearing it.
            assertThat(watcher.snapshot()).isNull();
            assertThat(seen).isEmpty();
        }
    }
}
