package io.tunneld.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;

import org.junit.jupiter.api.Test;

import io.tunneld.testsupport.LogRecords;
import io.tunneld.testsupport.PemFiles;

/**
 * Certificate files read and checked as at start: what is refused and with which message (the
 * one line tunneld stops with), what is served with a warning, and the key formats read.
 */
class CertificateFilesTest {

    @Test
    void aKeyOfAnotherCertificateIsRefusedNamingBothFiles() {
        PemFiles a = PemFiles.selfSigned("localhost");
        PemFiles b = PemFiles.selfSigned("localhost");
        assertEquals("TLS certificate " + a.cert() + " and key " + b.key() + " of tunnel, https: "
                + "the key does not match the certificate", refusal(a.cert(), b.key()));
    }

    @Test
    void missingOrNonPemFilesAreRefusedNamingTheFile() throws Exception {
        PemFiles pair = PemFiles.selfSigned("localhost");
        Path missing = pair.key().resolveSibling("missing.key");
        Path notPem = Files.writeString(pair.key().resolveSibling("not.pem"), "hello\n");
        notPem.toFile().deleteOnExit();

        assertEquals("TLS certificate " + pair.cert() + " and key " + missing + " of tunnel, https: cannot read "
                + missing + " (NoSuchFileException)", refusal(pair.cert(), missing));
        assertEquals("TLS certificate " + notPem + " and key " + pair.key() + " of tunnel, https: " + notPem
                + ": no PEM CERTIFICATE in it", refusal(notPem, pair.key()));
        assertEquals("TLS certificate " + pair.cert() + " and key " + notPem + " of tunnel, https: " + notPem
                + ": no PEM PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY in it", refusal(pair.cert(), notPem));
    }

    @Test
    void aCertificateForOtherNamesIsServedWithAWarningNamingItsNamesAndTheDomain() throws Exception {
        PemFiles pair = PemFiles.selfSigned("example.test", "*.example.test");
        try (LogRecords logs = new LogRecords()) {
            CertificateFiles.load(pair.cert(), pair.key(), "example.test", "https");
            CertificateFiles.load(pair.cert(), pair.key(), "tunnels.example.com", "https");
            assertEquals(1, logs.lines().stream().filter(l -> l.text().contains(pair.cert().toString())).count());
            assertEquals("TLS certificate " + pair.cert() + " of https is for example.test, *.example.test: it covers "
                    + "neither the domain tunnels.example.com nor *.tunnels.example.com, so clients will refuse it "
                    + "under the domain's names", logs.lines().get(0).text());
        }
    }

    @Test
    void secOneEcKeysAsCertManagerWritesThemAreServed() throws Exception {
        PemFiles pair = PemFiles.selfSigned("localhost");
        ECPrivateKey key = (ECPrivateKey) Pem.privateKey(Files.readAllBytes(pair.key())); // PKCS#8
        byte[] sec1 = Der.sequence(Der.integer(BigInteger.ONE), Der.octetString(unsigned(key.getS(), 32)),
                Der.explicit(0, Der.oid("1.2.840.10045.3.1.7"))); // prime256v1
        Path keyFile = Files.writeString(pair.key().resolveSibling("sec1.key"), PemFiles.pem("EC PRIVATE KEY", sec1));
        keyFile.toFile().deleteOnExit();

        CertificateFiles files = CertificateFiles.load(pair.cert(), keyFile, "localhost", "tunnel, https");
        assertEquals(key.getS(), ((ECPrivateKey) files.keys().current().key()).getS());
    }

    @Test
    void pkcsOneRsaKeysAreRead() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(1024);
        RSAPrivateCrtKey key = (RSAPrivateCrtKey) generator.generateKeyPair().getPrivate();
        byte[] pkcs1 = Der.sequence(Der.integer(BigInteger.ZERO), Der.integer(key.getModulus()),
                Der.integer(key.getPublicExponent()), Der.integer(key.getPrivateExponent()),
                Der.integer(key.getPrimeP()), Der.integer(key.getPrimeQ()), Der.integer(key.getPrimeExponentP()),
                Der.integer(key.getPrimeExponentQ()), Der.integer(key.getCrtCoefficient()));

        assertArrayEquals(key.getEncoded(),
                Pem.privateKey(PemFiles.pem("RSA PRIVATE KEY", pkcs1).getBytes(StandardCharsets.US_ASCII)).getEncoded());
    }

    private static String refusal(Path cert, Path key) {
        return assertThrows(UnusableTlsFilesException.class,
                () -> CertificateFiles.load(cert, key, "localhost", "tunnel, https")).getMessage();
    }

    private static byte[] unsigned(BigInteger value, int length) {
        byte[] bytes = value.toByteArray();
        byte[] fixed = new byte[length];
        int n = Math.min(bytes.length, length);
        System.arraycopy(bytes, bytes.length - n, fixed, length - n, n);
        return fixed;
    }
}
