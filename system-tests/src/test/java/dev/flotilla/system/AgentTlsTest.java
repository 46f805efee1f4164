package dev.flotilla.system;

import java.io.FileInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How the packaged agent talks to the service: over TLS with a private CA (the service with a
 * certificate this test makes with keytool, signed by a CA it makes too), refused without that CA,
 * held to a pinned key, and never in clear text to another host unless told so.
 */
class AgentTlsTest {
    private static final String PASSWORD = "changeit";
    private static Path certs;
    private static RunningService service;
    private static String httpsUrl;

    @BeforeAll
    static void serviceWithAPrivateCa() throws Exception {
        certs = Files.createDirectories(Project.workDir("agent-tls").resolve("certs"));
        keytool(
                "-genkeypair",
                "-alias",
                "ca",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=Flotilla Test CA",
                "-ext",
                "bc:c",
                "-validity",
                "2",
                "-keystore",
                path("ca.p12"));
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", path("ca.p12"), "-file", path("ca.pem"));
        keytool(
                "-genkeypair",
                "-alias",
                "server",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=localhost",
                "-validity",
                "2",
                "-keystore",
                path("server.p12"));
        keytool("-certreq", "-alias", "server", "-keystore", path("server.p12"), "-file", path("server.csr"));
        keytool(
                "-gencert",
                "-rfc",
                "-alias",
                "ca",
                "-keystore",
                path("ca.p12"),
                "-infile",
                path("server.csr"),
                "-outfile",
                path("server.pem"),
                "-ext",
                "SAN=dns:localhost,ip:127.0.0.1",
                "-validity",
                "2");
        // Quarkus takes PEM: the certificate chain, and the key as PKCS#8.
        KeyStore server = KeyStore.getInstance("PKCS12");
        try (FileInputStream in = new FileInputStream(path("server.p12"))) {
            server.load(in, PASSWORD.toCharArray());
        }
        byte[] key = server.getKey("server", PASSWORD.toCharArray()).getEncoded();
        Files.writeString(
                certs.resolve("server-key.pem"),
                "-----BEGIN PRIVATE KEY-----\n"
                        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                                .encodeToString(key)
                        + "\n-----END PRIVATE KEY-----\n");
        Files.writeString(
                certs.resolve("chain.pem"),
                Files.readString(certs.resolve("server.pem")) + Files.readString(certs.resolve("ca.pem")));

        int tlsPort = Project.freePort();
        service = new RunningService(
                "agent-tls",
                Project.freePort(),
                Map.of(
                        "QUARKUS_HTTP_SSL_PORT", String.valueOf(tlsPort),
                        "QUARKUS_HTTP_SSL_CERTIFICATE_FILES", path("chain.pem"),
                        "QUARKUS_HTTP_SSL_CERTIFICATE_KEY_FILES", path("server-key.pem")));
        httpsUrl = "https://localhost:" + tlsPort;
    }

    @AfterAll
    static void stop() throws Exception {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void shouldConnectOverTlsWithThePrivateCaAndThePinnedKey() throws Exception {
        String pin = pinOf(certs.resolve("ca.pem"));
        service.startAgent(
                service.newEnrollmentToken(1),
                "agent-tls.log",
                httpsUrl,
                Map.of("FLOTILLA_CA_FILE", path("ca.pem"), "FLOTILLA_PIN", pin));
        service.awaitPresence("online");
    }

    @Test
    void shouldRefuseTheServiceWithoutItsCaOrWithAnotherPin() throws Exception {
        Map<String, Map<String, String>> cases = Map.of(
                "system-trust", Map.of(),
                "other-pin",
                        Map.of("FLOTILLA_CA_FILE", path("ca.pem"), "FLOTILLA_PIN", "sha256/" + "A".repeat(43) + "="));
        for (var c : cases.entrySet()) {
            Map<String, String> env = new java.util.HashMap<>(c.getValue());
            env.put(
                    "FLOTILLA_AGENT_STATE",
                    certs.resolveSibling("state-" + c.getKey()).toString());
            String log = "agent-" + c.getKey() + ".log";
            Process agent = service.startAgent(service.newEnrollmentToken(1), log, httpsUrl, env);
            assertThat(agent.waitFor(60, TimeUnit.SECONDS))
                    .as("%s: the agent gives up", c.getKey())
                    .isTrue();
            assertThat(agent.exitValue()).as(c.getKey()).isNotZero();
            assertThat(Files.readString(service.work.resolve(log)))
                    .as(c.getKey())
                    .containsAnyOf("PKIX path", "pinned key");
        }
    }

    @Test
    void shouldRefusePlainHttpToAnotherHostUnlessInsecure() throws Exception {
        Process agent = service.startAgent(null, "agent-plain.log", "http://fleet.example.com");
        assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(agent.exitValue()).isEqualTo(78);
        assertThat(Files.readString(service.work.resolve("agent-plain.log")))
                .contains("refusing plain http://fleet.example.com")
                .contains("--insecure");
    }

    private static String pinOf(Path pem) throws Exception {
        try (var in = Files.newInputStream(pem)) {
            var cert = CertificateFactory.getInstance("X.509").generateCertificate(in);
            return "sha256/"
                    + Base64.getEncoder()
                            .encodeToString(MessageDigest.getInstance("SHA-256")
                                    .digest(cert.getPublicKey().getEncoded()));
        }
    }

    private static String path(String name) {
        return certs.resolve(name).toString();
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-storepass",
                PASSWORD,
                "-keypass",
                PASSWORD,
                "-noprompt"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("keytool %s: %s", args[0], out).isZero();
    }
}
