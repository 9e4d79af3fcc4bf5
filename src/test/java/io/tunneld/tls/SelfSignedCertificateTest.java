package io.tunneld.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The generated certificate, read back by the JDK's own X.509 parser. */
class SelfSignedCertificateTest {

    @Test
    void isAValidSelfSignedV3CertificateForTheNames() throws Exception {
        SelfSignedCertificate generated = SelfSignedCertificate.create(List.of("tunnels.example.com",
                "*.tunnels.example.com"), Duration.ofDays(365));
        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(generated.certificate().getEncoded()));

        assertEquals(3, cert.getVersion());
        assertEquals("SHA256withECDSA", cert.getSigAlgName());
        assertEquals("CN=tunnels.example.com, O=tunneld self-signed", cert.getSubjectX500Principal().getName(
                "RFC1779"));
        assertEquals(cert.getSubjectX500Principal(), cert.getIssuerX500Principal());
        assertTrue(cert.getSerialNumber().signum() > 0);
        cert.verify(cert.getPublicKey()); // throws unless signed by its own key
        assertEquals(List.of(List.of(2, "tunnels.example.com"), List.of(2, "*.tunnels.example.com")),
                cert.getSubjectAlternativeNames().stream().toList());
        cert.checkValidity();
        Duration validity = Duration.between(cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant());
        assertEquals(Duration.ofDays(365).plusHours(1), validity);
    }

    @Test
    void thePrivateKeySignsForTheCertificatesPublicKey() throws Exception {
        SelfSignedCertificate generated = SelfSignedCertificate.create(List.of("localhost"), Duration.ofDays(1));
        // Through its PKCS#8 encoding, as key stores keep it.
        PrivateKey key = KeyFactory.getInstance("EC")
                .generatePrivate(new PKCS8EncodedKeySpec(generated.privateKey().getEncoded()));

        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(key);
        signer.update(new byte[] {1, 2, 3});
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(generated.certificate().getPublicKey());
        verifier.update(new byte[] {1, 2, 3});
        assertTrue(verifier.verify(signature));
    }

    @Test
    void derLengthsTimesAndIdentifiers() {
        // Short length form up to 127 bytes, long form from 128.
        assertArrayEquals(HexFormat.of().parseHex("0408" + "00".repeat(8)), Der.octetString(new byte[8]));
        assertArrayEquals(HexFormat.of().parseHex("047f"), Arrays.copyOf(Der.octetString(new byte[127]), 2));
        byte[] big = Der.octetString(new byte[300]);
        assertArrayEquals(HexFormat.of().parseHex("0482012c"), Arrays.copyOf(big, 4));
        assertEquals(304, big.length);
        // 1.2.840.10045.4.3.2 (ecdsa-with-SHA256), with multi-byte arcs.
        assertArrayEquals(HexFormat.of().parseHex("06082a8648ce3d040302"), Der.oid("1.2.840.10045.4.3.2"));
        // INTEGER keeps a leading zero for a positive value with its high bit set.
        assertArrayEquals(HexFormat.of().parseHex("020200ff"), Der.integer(BigInteger.valueOf(255)));
        // UTCTime until 2049, GeneralizedTime from 2050 (RFC 5280).
        assertArrayEquals("\u0017\r491231235959Z".getBytes(),
                Der.time(Instant.parse("2049-12-31T23:59:59Z")));
        assertArrayEquals("\u0018\u000f20500101000000Z".getBytes(),
                Der.time(Instant.parse("2050-01-01T00:00:00Z")));
    }

    @Test
    void theSameSeedMakesTheSameCertificateAndKeyAnotherSeedOthers() throws Exception {
        List<String> names = List.of("localhost", "*.localhost");
        byte[] seed = "a seed of the cluster".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        SelfSignedCertificate one = SelfSignedCertificate.derived(names, Duration.ofDays(3650), seed);
        SelfSignedCertificate two = SelfSignedCertificate.derived(names, Duration.ofDays(3650), seed.clone());
        assertArrayEquals(one.certificate().getEncoded(), two.certificate().getEncoded(), "same bytes, signature included");
        assertArrayEquals(one.privateKey().getEncoded(), two.privateKey().getEncoded());
        one.certificate().verify(one.certificate().getPublicKey());
        SelfSignedCertificate other = SelfSignedCertificate.derived(names, Duration.ofDays(3650),
                "another seed".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertFalse(java.util.Arrays.equals(one.privateKey().getEncoded(), other.privateKey().getEncoded()));
    }
}
