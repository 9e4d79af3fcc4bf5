package io.tunneld.tls;

import static io.tunneld.testsupport.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

import javax.net.ssl.SSLSocket;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.tunneld.config.TunneldConfig;
import io.tunneld.testclient.NgrokTestClient;
import io.tunneld.testclient.TlsDialer;
import io.tunneld.testsupport.EchoServer;
import io.tunneld.testsupport.LogRecords;
import io.tunneld.testsupport.Metrics;
import io.tunneld.testsupport.PemFiles;
import io.tunneld.testsupport.PublicClient;
import io.tunneld.testsupport.SecretVolume;
import io.tunneld.testsupport.StartLog;
import io.tunneld.testsupport.TunneldTest;

/**
 * Certificate files served from a Kubernetes-style Secret volume: a warning at start when they do
 * not cover the domain; when they change while tunneld runs, new handshakes on both TLS
 * listeners get the new pair, connections made before carry on, and a pair that cannot be served
 * is refused with one log line while the last good one stays. Tests that change the files start
 * by serving a pair of their own.
 */
@QuarkusTest
@TestProfile(SecretFilesProfile.class)
class CertificateReloadTest extends TunneldTest {

    @Inject
    TunneldConfig config;

    @Test
    void aCertificateThatDoesNotCoverTheDomainIsServedWithOneWarningAtStart() throws Exception {
        // The other tests serve certificates for localhost: this is the first one's warning.
        List<String> warnings = StartLog.lines().stream()
                .filter(l -> l.contains(volume().cert().toString()) && l.contains("covers neither")).toList();
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains(" WARN ") && warnings.get(0).contains("of tunnel, https is for "
                + SecretFilesProfile.FIRST_NAMES + ": it covers neither the domain localhost nor *.localhost"),
                warnings.get(0));
    }

    @Test
    void aRenewedSecretIsServedToNewHandshakesWhileConnectionsCarryOn() throws Exception {
        SecretVolume volume = volume();
        try (EchoServer echo = new EchoServer(); NgrokTestClient c = authed("tunneld-test-token-1")) {
            forwardHttp(c, "renewal", "", echo.port());
            try (Socket visitor = PublicClient.plain(ports.http())) {
                String request = "GET / HTTP/1.1\r\nHost: renewal.localhost:" + ports.http() + "\r\n\r\n";
                assertEquals(request, roundTrip(visitor, request));
                assertExpiryGauges(certificate(volume.cert()));

                PemFiles renewed = PemFiles.selfSigned(Duration.ofDays(90), "localhost", "*.localhost");
                volume.update(renewed);
                awaitServed(renewed);

                c.ping();
                assertNotNull(c.awaitFrame("Pong", WAIT), "the session from before the renewal answers");
                assertEquals("more bytes", roundTrip(visitor, "more bytes"),
                        "the public connection joined to a proxy before the renewal carries on");
                assertExpiryGauges(certificate(renewed.cert()));
            }
        }
    }

    @Test
    void filesWrittenOverInPlaceAreServedToo() throws Exception {
        SecretVolume volume = volume();
        PemFiles next = PemFiles.selfSigned(Duration.ofDays(60), "localhost", "*.localhost");
        // Through the links, into the files of the current version: no rename, no new directory.
        Files.write(volume.key(), Files.readAllBytes(next.key()));
        Files.write(volume.cert(), Files.readAllBytes(next.cert()));
        awaitServed(next);
        assertExpiryGauges(certificate(next.cert()));
    }

    @Test
    void aPairThatCannotBeServedIsRefusedWithOneLogLineAndTheLastGoodOneStays() throws Exception {
        SecretVolume volume = volume();
        PemFiles good = PemFiles.selfSigned(Duration.ofDays(30), "localhost", "*.localhost");
        volume.update(good);
        awaitServed(good);

        PemFiles other = PemFiles.selfSigned("localhost");
        Path notPem = Files.writeString(Files.createTempFile("tunneld", ".crt"), "not a certificate\n");
        notPem.toFile().deleteOnExit();
        record Bad(Path cert, Path key, String why) {
        }
        for (Bad bad : List.of(
                new Bad(other.cert(), good.key(), "the key does not match the certificate"),
                new Bad(notPem, good.key(), volume.cert() + ": no PEM CERTIFICATE"),
                new Bad(good.cert(), null, "cannot read " + volume.key()))) {
            try (LogRecords logs = new LogRecords()) {
                volume.update(bad.cert(), bad.key());
                eventually(() -> refusals(logs, volume, bad.why()) == 1);

                assertEquals(fingerprint(certificate(good.cert())), served(ports.tunnel()), bad.why());
                assertEquals(fingerprint(certificate(good.cert())), served(ports.https()), bad.why());
                assertExpiryGauges(certificate(good.cert()));
                assertEquals(1, refusals(logs, volume, bad.why()), "logged once, not at every check");
            }
        }
    }

    private SecretVolume volume() {
        return SecretVolume.ofCertificate(config.tunnel().tls().certFile().orElseThrow());
    }

    private void awaitServed(PemFiles pair) throws Exception {
        String expected = fingerprint(certificate(pair.cert()));
        eventually(() -> expected.equals(served(ports.tunnel())) && expected.equals(served(ports.https())));
    }

    private static long refusals(LogRecords logs, SecretVolume volume, String why) {
        return logs.lines().stream().map(LogRecords.Line::text)
                .filter(t -> t.contains(volume.cert().toString()) && t.contains(volume.key().toString()))
                .filter(t -> t.contains(why) && t.contains("not reloaded")).count();
    }

    /** Each TLS listener's expiry gauge holds the certificate's notAfter, in seconds since 1970. */
    private static void assertExpiryGauges(X509Certificate certificate) {
        double notAfter = certificate.getNotAfter().toInstant().getEpochSecond();
        for (String listener : new String[] {"tunnel", "https"}) {
            assertEquals(notAfter, Metrics.value(
                    "tunneld_tls_certificate_expiry_timestamp_seconds{listener=\"" + listener + "\"}"), listener);
        }
    }

    /** The SHA-256 of the certificate a new handshake on the port gets, or why there was none. */
    private static String served(int port) {
        try (SSLSocket s = TlsDialer.trustAll().dial("127.0.0.1", port)) {
            return fingerprint(s.getSession().getPeerCertificates()[0]);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static X509Certificate certificate(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private static String fingerprint(Certificate certificate) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String roundTrip(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        return new String(PublicClient.readExactly(s.getInputStream(), text.length()), StandardCharsets.ISO_8859_1);
    }
}
