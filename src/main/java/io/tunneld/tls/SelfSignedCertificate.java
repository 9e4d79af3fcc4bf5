package io.tunneld.tls;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A development certificate made in memory at start, for {@code <domain>} and
 * {@code *.<domain>}. ECDSA P-256: every proxy connection is a full TLS handshake, and an
 * ECDSA signature costs a small fraction of an RSA-2048 one (Go has supported it since 1.2,
 * older than any 1.x client build).
 */
public record SelfSignedCertificate(X509Certificate certificate, PrivateKey privateKey) {

    private static final String ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";
    private static final String COMMON_NAME = "2.5.4.3";
    private static final String ORGANIZATION = "2.5.4.10";
    private static final String SUBJECT_ALT_NAME = "2.5.29.17";

    /** Start of the validity of certificates derived from a seed: the same on every replica. */
    private static final Instant DERIVED_FROM = Instant.parse("2025-01-01T00:00:00Z");

    /** Makes a new key pair and a certificate for the DNS names, valid from an hour ago to {@code validity} ahead. */
    public static SelfSignedCertificate create(List<String> dnsNames, Duration validity) {
        Instant now = Instant.now();
        return create(dnsNames, now.minus(Duration.ofHours(1)), now.plus(validity), new SecureRandom());
    }

    /**
     * The key pair and certificate that {@code seed} determines: every process given the same
     * seed and names makes the same bytes (the key, the serial number and the signature come
     * from a generator seeded with it), valid from 2025 for {@code validity}. What the replicas
     * of a cluster serve when no certificate files are configured, derived from their secret,
     * so that a client trusting one trusts them all.
     */
    public static SelfSignedCertificate derived(List<String> dnsNames, Duration validity, byte[] seed) {
        try {
            SecureRandom random = SecureRandom.getInstance("SHA1PRNG", "SUN");
            // Seeded before its first use, this generator yields only what the seed determines.
            random.setSeed(seed);
            return create(dnsNames, DERIVED_FROM, DERIVED_FROM.plus(validity), random);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot derive a self-signed certificate", e);
        }
    }

    /** A new P-256 key pair, for {@link #forKeys}. */
    public static KeyPair newKeys() {
        return newKeys(new SecureRandom());
    }

    /**
     * A certificate for {@code keys} (from {@link #newKeys()}), for names that may depend on
     * the public key, valid from an hour ago to {@code validity} ahead.
     */
    public static SelfSignedCertificate forKeys(KeyPair keys, List<String> dnsNames, Duration validity) {
        Instant now = Instant.now();
        return sign(keys, dnsNames, now.minus(Duration.ofHours(1)), now.plus(validity), new SecureRandom());
    }

    private static SelfSignedCertificate create(List<String> dnsNames, Instant notBefore, Instant notAfter,
            SecureRandom random) {
        // The key first, then the serial number and the signature: the order a derived one depends on.
        return sign(newKeys(random), dnsNames, notBefore, notAfter, random);
    }

    private static KeyPair newKeys(SecureRandom random) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), random);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a P-256 key pair", e);
        }
    }

    private static SelfSignedCertificate sign(KeyPair keys, List<String> dnsNames, Instant notBefore,
            Instant notAfter, SecureRandom random) {
        try {
            // Most general first, as X.500 orders it: read back as "CN=<domain>, O=...".
            byte[] name = Der.sequence(
                    Der.set(Der.sequence(Der.oid(ORGANIZATION), Der.utf8String("tunneld self-signed"))),
                    Der.set(Der.sequence(Der.oid(COMMON_NAME), Der.utf8String(dnsNames.get(0)))));
            byte[][] dnsEntries = dnsNames.stream().map(n -> Der.implicitAscii(2, n)).toArray(byte[][]::new);
            byte[] algorithm = Der.sequence(Der.oid(ECDSA_WITH_SHA256));
            byte[] toBeSigned = Der.sequence(
                    Der.explicit(0, Der.integer(BigInteger.TWO)), // v3
                    Der.integer(new BigInteger(63, random).add(BigInteger.ONE)), // positive, as RFC 5280 asks
                    algorithm,
                    name,
                    Der.sequence(Der.time(notBefore), Der.time(notAfter)),
                    name,
                    keys.getPublic().getEncoded(), // already a DER SubjectPublicKeyInfo
                    Der.explicit(3, Der.sequence(Der.sequence(
                            Der.oid(SUBJECT_ALT_NAME), Der.octetString(Der.sequence(dnsEntries))))));
            Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(keys.getPrivate(), random);
            signer.update(toBeSigned);
            byte[] der = Der.sequence(toBeSigned, algorithm, Der.bitString(signer.sign()));
            X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
            return new SelfSignedCertificate(certificate, keys.getPrivate());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot create a self-signed certificate", e);
        }
    }
}
