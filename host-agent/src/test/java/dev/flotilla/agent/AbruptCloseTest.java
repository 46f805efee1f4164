package dev.flotilla.agent;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.flotilla.agent.units.UnitInspector;
import dev.flotilla.api.protocol.Hello;
import dev.flotilla.api.protocol.Protocol;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A service that completes the WebSocket handshake and drops the connection at once (no close
 * frame) must not leave the agent waiting forever: it reconnects. The benchmark's connect storm
 * found agents that did, when the drop was seen before the opening. A real service drops
 * connections this way only under faults, so a raw socket plays it here.
 */
class AbruptCloseTest {
    @TempDir
    Path state;

    private AgentClient client;
    private ServerSocket server;

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.stop();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void shouldReconnectAfterTheServiceDropsTheConnectionRightAfterTheHandshake() throws Exception {
        AtomicInteger handshakes = fakeService(false);
        CompletableFuture<Integer> exit = startAgent();

        // Backoff from 1 s with full jitter: three attempts come well within 20 s.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (handshakes.get() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(handshakes.get()).as("handshakes within 20 s").isGreaterThanOrEqualTo(3);
        assertThat(exit).isNotDone();
    }

    /**
     * A service that takes the connection and never answers the hello (the HA drill found one: its
     * database was away while it checked the credential) must not hold the agent: it connects again.
     */
    @Test
    void shouldReconnectWhenTheServiceNeverWelcomes() throws Exception {
        Duration before = AgentClient.welcomeTimeout;
        AgentClient.welcomeTimeout = Duration.ofSeconds(2);
        try {
            AtomicInteger handshakes = fakeService(true);
            CompletableFuture<Integer> exit = startAgent();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (handshakes.get() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(handshakes.get()).as("handshakes within 20 s").isGreaterThanOrEqualTo(2);
            assertThat(exit).isNotDone();
        } finally {
            AgentClient.welcomeTimeout = before;
        }
    }

    /** Completes WebSocket handshakes on a raw socket, then drops the connection or holds it silently. */
    private AtomicInteger fakeService(boolean holdSilently) throws Exception {
        server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        AtomicInteger handshakes = new AtomicInteger();
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket socket = server.accept()) {
                    BufferedReader in = new BufferedReader(
                            new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
                    String key = null;
                    for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                        if (line.toLowerCase(java.util.Locale.ROOT).startsWith("sec-websocket-key:")) {
                            key = line.substring(line.indexOf(':') + 1).trim();
                        }
                    }
                    String accept = Base64.getEncoder()
                            .encodeToString(MessageDigest.getInstance("SHA-1")
                                    .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
                                            .getBytes(StandardCharsets.ISO_8859_1)));
                    OutputStream out = socket.getOutputStream();
                    out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                    + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    handshakes.incrementAndGet();
                    if (holdSilently) {
                        // read and ignore whatever comes (the hello) until the agent gives up
                        Thread reader = new Thread(() -> {
                            try {
                                socket.getInputStream().transferTo(OutputStream.nullOutputStream());
                            } catch (java.io.IOException ignored) {
                                // the agent closed it
                            }
                        });
                        reader.setDaemon(true);
                        reader.start();
                        reader.join(30_000);
                    }
                    // otherwise close at once, without a close frame
                } catch (Exception e) {
                    // the server socket closed: the test is over
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        return handshakes;
    }

    private CompletableFuture<Integer> startAgent() throws Exception {

        AgentSettings settings = new AgentSettings(
                URI.create("http://127.0.0.1:" + server.getLocalPort()),
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
        return client.start();
    }
}
