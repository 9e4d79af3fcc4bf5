package io.tunneld.tls;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import io.vertx.core.buffer.Buffer;

/**
 * A development certificate made in memory at start, for {@code <domain>} and
 * {@code *.<domain>}. ECDSA P-256: every proxy connection is a full TLS handshake, and an
 * ECDSA signature costs a small fraction of an RSA-2048 one (Go has supported it since 1.2,
 * older than any 1.x client build).
 */
public record SelfSignedCertificate(Buffer certPem, Buffer keyPem, String sha256Fingerprint) {

    /** Makes a new key pair and a certificate valid for one year for the given DNS names. */
    public static SelfSignedCertificate create(List<String> dnsNames) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            KeyPair keys = generator.generateKeyPair();
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    new X500Name("CN=" + dnsNames.get(0) + ",O=tunneld self-signed"),
                    new BigInteger(64, new SecureRandom()),
                    Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(365))),
                    new X500Name("CN=" + dnsNames.get(0) + ",O=tunneld self-signed"),
                    keys.getPublic());
            GeneralName[] names = dnsNames.stream()
                    .map(name -> new GeneralName(GeneralName.dNSName, name))
                    .toArray(GeneralName[]::new);
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
            byte[] der = certificate.getEncoded();
            return new SelfSignedCertificate(
                    pem("CERTIFICATE", der),
                    pem("PRIVATE KEY", keys.getPrivate().getEncoded()),
                    HexFormat.ofDelimiter(":").withUpperCase()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(der)));
        } catch (GeneralSecurityException | OperatorCreationException | java.io.IOException e) {
            throw new IllegalStateException("cannot create a self-signed certificate", e);
        }
    }

    private static Buffer pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der);
        return Buffer.buffer("-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n");
    }
}
