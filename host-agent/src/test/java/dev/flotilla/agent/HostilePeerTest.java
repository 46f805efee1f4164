package dev.flotilla.agent;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.flotilla.agent.units.UnitInspector;
import dev.flotilla.api.protocol.FrameCodec;
import dev.flotilla.api.protocol.Hello;
import dev.flotilla.api.protocol.Protocol;
import dev.flotilla.api.protocol.Welcome;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Frames from the service that cannot be read are logged and skipped; the agent stays connected
 * and keeps heartbeating. The real service never sends such frames, so a fake peer (a plain
 * Vert.x WebSocket server) plays it here: it is the only way to send them.
 */
class HostilePeerTest {
    @TempDir
    Path state;

    private Vertx vertx;
    private AgentClient client;

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.stop();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldSkipUnreadableFramesFromTheServiceAndKeepGoing() throws Exception {
        vertx = Vertx.vertx();
        BlockingQueue<String> fromAgent = new LinkedBlockingQueue<>();
        CompletableFuture<ServerWebSocket> connected = new CompletableFuture<>();
        HttpServer server = vertx.createHttpServer(
                        new HttpServerOptions().setPort(0).setHost("127.0.0.1"))
                .webSocketHandler(ws -> {
                    ws.textMessageHandler(fromAgent::add);
                    connected.complete(ws);
                });
        int port = server.listen()
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS)
                .actualPort();

        AgentSettings settings = new AgentSettings(
                URI.create("http://127.0.0.1:" + port),
                null,
                state,
                Map.of(),
                Path.of("/etc/machine-id"),
                List.of("*.service"),
                100,
                1 << 20,
                List.of());
        client = new AgentClient(
                AgentClient.Runtime.dedicated(),
                settings,
                new Credentials.Stored(
                        "0123456789abcdef0123456789abcdef",
                        "flm_test",
                        settings.url().toString()),
                () -> new Hello(Protocol.VERSION, "0123456789abcdef0123456789abcdef", "h", null, Map.of(), "test"),
                HostFacts::collect,
                null,
                null,
                new UnitInspector(null),
                null);
        CompletableFuture<Integer> exit = client.start();

        ServerWebSocket ws = connected.get(10, TimeUnit.SECONDS);
        assertThat(ws.headers().get("Authorization")).isEqualTo("Bearer flm_test");
        assertThat(FrameCodec.decode(fromAgent.poll(10, TimeUnit.SECONDS))).isInstanceOf(Hello.class);

        ws.writeTextMessage("{not json");
        ws.writeTextMessage("{\"type\":\"format-the-disk\"}");
        ws.writeTextMessage("[1,2,3]");
        ws.writeTextMessage(
                "{\"type\":\"welcome\",\"protocolVersion\":1,\"machineId\":\"x\",\"heartbeatIntervalMillis\":\"soon\",\"heartbeatTtlMillis\":1}");
        ws.writeTextMessage(FrameCodec.encode(new Welcome(1, "0123456789abcdef0123456789abcdef", 100, 300)));

        // Still connected and heartbeating after the garbage.
        for (int i = 0; i < 3; i++) {
            String frame = fromAgent.poll(10, TimeUnit.SECONDS);
            assertThat(frame).as("heartbeat %d", i).contains("\"type\":\"heartbeat\"");
        }
        assertThat(exit).isNotDone();
    }
}
