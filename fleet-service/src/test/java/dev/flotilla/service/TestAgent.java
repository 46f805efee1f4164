package dev.flotilla.service;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.flotilla.api.protocol.Facts;
import dev.flotilla.api.protocol.Frame;
import dev.flotilla.api.protocol.FrameCodec;
import dev.flotilla.api.protocol.Hello;
import dev.flotilla.api.protocol.Protocol;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;

/**
 * A protocol-level agent for tests: a real WebSocket to the service, frames written by hand so that
 * tests can send what a real agent never would.
 */
public final class TestAgent implements AutoCloseable {
    public final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    public final CompletableFuture<Close> closed = new CompletableFuture<>();
    private final WebSocket socket;
    private final WebSocketClient client;

    public record Close(Short code, String reason) {}

    private TestAgent(WebSocketClient client, WebSocket socket) {
        this.client = client;
        this.socket = socket;
        try {
            socket.textMessageHandler(received::add);
            socket.closeHandler(v -> closed.complete(new Close(socket.closeStatusCode(), socket.closeReason())));
        } catch (IllegalStateException alreadyClosed) {
            // The service closed it before we could listen (a refused credential is that quick).
            closed.complete(new Close(socket.closeStatusCode(), socket.closeReason()));
        }
    }

    public static TestAgent connect(Vertx vertx, URI base, String credential) throws Exception {
        WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
                .setMaxMessageSize(4 * Protocol.MAX_FRAME_BYTES)
                .setMaxFrameSize(4 * Protocol.MAX_FRAME_BYTES));
        WebSocketConnectOptions options = new WebSocketConnectOptions()
                .setHost(base.getHost())
                .setPort(base.getPort())
                .setURI(Protocol.CONNECT_PATH);
        if (credential != null) {
            options.addHeader("Authorization", "Bearer " + credential);
        }
        WebSocket ws = client.connect(options)
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        return new TestAgent(client, ws);
    }

    /**
     * Connects, says hello and reads what the service sends first: welcome, then the machine's
     * desired state.
     */
    public static TestAgent greeted(Vertx vertx, URI base, String credential, String machineId) throws Exception {
        TestAgent agent = connect(vertx, base, credential);
        agent.send(hello(machineId, "h-" + machineId.substring(0, 6), Map.of()));
        Frame welcome = agent.next(Duration.ofSeconds(10));
        if (!(welcome instanceof dev.flotilla.api.protocol.Welcome)) {
            throw new AssertionError("expected welcome, got " + welcome);
        }
        Frame desired = agent.next(Duration.ofSeconds(10));
        if (!(desired instanceof dev.flotilla.api.protocol.DesiredState)) {
            throw new AssertionError("expected the desired state after welcome, got " + desired);
        }
        agent.initialDesiredState = (dev.flotilla.api.protocol.DesiredState) desired;
        return agent;
    }

    /** The desired state the service sent right after welcome, when made by {@link #greeted}. */
    public dev.flotilla.api.protocol.DesiredState initialDesiredState;

    public static Hello hello(String machineId, String hostname, Map<String, String> labels) {
        return new Hello(
                Protocol.VERSION,
                machineId,
                hostname,
                new Facts(
                        new Facts.OsRelease("debian", "12", "Debian GNU/Linux 12 (bookworm)"),
                        "6.1.0",
                        "x86_64",
                        2,
                        2L << 30,
                        List.of("10.0.0.7"),
                        "boot-1"),
                labels,
                "test");
    }

    public TestAgent send(Frame frame) {
        return sendText(FrameCodec.encode(frame));
    }

    public TestAgent sendText(String text) {
        socket.writeTextMessage(text);
        return this;
    }

    public TestAgent sendBinary(byte[] data) {
        socket.writeBinaryMessage(Buffer.buffer(data));
        return this;
    }

    /** The next frame from the service, decoded. */
    public Frame next(Duration timeout) throws InterruptedException {
        String text = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (text == null) {
            throw new AssertionError("no frame within " + timeout);
        }
        return FrameCodec.decode(text);
    }

    public Close awaitClose(Duration timeout) throws Exception {
        return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        if (!socket.isClosed()) {
            socket.close();
        }
        client.close();
    }
}
