package dev.flotilla.agent;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * How the agent trusts the service: the system's trust store by default; only the CAs of
 * {@code ca-file} (a private CA) when given; and, when {@code pin} is given, only a chain holding
 * a certificate with that public key ({@code sha256/} and the base64 of the SHA-256 of its
 * SubjectPublicKeyInfo, as {@code openssl x509 -pubkey | openssl pkey -pubin -outform der |
 * openssl dgst -sha256 -binary | base64} prints it). The JDK checks the host name as always.
 */
final class Tls {
    private Tls() {}

    /** An HTTP client (enrollment, then the WebSocket) that trusts what the settings say. */
    static HttpClient httpClient(AgentSettings settings) {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        if (settings.caFile() != null || settings.pin() != null) {
            b.sslContext(context(settings));
        }
        return b.build();
    }

    static SSLContext context(AgentSettings settings) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (settings.caFile() != null) {
                KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                Collection<? extends Certificate> cas;
                try (InputStream in = Files.newInputStream(settings.caFile())) {
                    cas = CertificateFactory.getInstance("X.509").generateCertificates(in);
                }
                if (cas.isEmpty()) {
                    throw new IllegalArgumentException("ca-file " + settings.caFile() + " holds no certificate");
                }
                int i = 0;
                for (Certificate ca : cas) {
                    store.setCertificateEntry("ca-" + i++, ca);
                }
                tmf.init(store);
            } else {
                tmf.init((KeyStore) null);
            }
            X509TrustManager base = null;
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509TrustManager x) {
                    base = x;
                }
            }
            if (base == null) {
                throw new IllegalStateException("no X.509 trust manager");
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(
                    null, new TrustManager[] {settings.pin() == null ? base : new Pinned(base, settings.pin())}, null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read ca-file " + settings.caFile() + ": " + e.getMessage(), e);
        }
    }

    /** The pin of a certificate's public key: {@code sha256/} and base64 of the SPKI's SHA-256. */
    static String pinOf(Certificate certificate) {
        try {
            return "sha256/"
                    + Base64.getEncoder()
                            .encodeToString(MessageDigest.getInstance("SHA-256")
                                    .digest(certificate.getPublicKey().getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The usual checks, then: some certificate of the chain has the pinned public key. */
    private record Pinned(X509TrustManager base, String pin) implements X509TrustManager {
        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            base.checkServerTrusted(chain, authType);
            for (X509Certificate c : chain) {
                if (pinOf(c).equals(pin)) {
                    return;
                }
            }
            throw new CertificateException("no certificate of the service's chain has the pinned key " + pin);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("the agent does not accept client connections");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return base.getAcceptedIssuers();
        }
    }
}
