package io.tunneld.cluster;

import java.security.KeyPair;
import java.security.PublicKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;

import io.tunneld.tls.SelfSignedCertificate;

/**
 * How replicas know each other on the forward port: each makes a key pair at start and a
 * self-signed certificate whose name carries the cluster secret's signature of its public key.
 * A certificate with the right signature was made by a holder of the secret, and the TLS
 * handshake proves the peer holds its key: no CA, nothing to renew or hand out, and replicas
 * of different builds (in a rolling update) agree.
 */
final class ReplicaCertificate {

    /** Never resolved (RFC 2606): the name is a signature, not an address. */
    private static final String SUFFIX = ".replica.tunneld.invalid";
    /** Made at each start; long enough never to matter. */
    private static final Duration VALIDITY = Duration.ofDays(3650);

    private ReplicaCertificate() {
    }

    /** A new key pair, and its certificate signed over by {@code secret}. */
    static SelfSignedCertificate issue(ClusterSecret secret) {
        KeyPair keys = SelfSignedCertificate.newKeys();
        String signature = secret.sign(signed(keys.getPublic()));
        // Two DNS labels of 32 characters: one of 64 would be longer than a label may be.
        String name = signature.substring(0, 32) + "." + signature.substring(32) + SUFFIX;
        return SelfSignedCertificate.forKeys(keys, List.of(name), VALIDITY);
    }

    /** Whether {@code certificate} names the signature {@code secret} makes of its public key. */
    static boolean endorsed(X509Certificate certificate, ClusterSecret secret) {
        try {
            Collection<List<?>> names = certificate.getSubjectAlternativeNames();
            if (names == null) {
                return false;
            }
            String text = signed(certificate.getPublicKey());
            for (List<?> entry : names) {
                // 2: a DNS name.
                if (Integer.valueOf(2).equals(entry.get(0)) && entry.get(1) instanceof String name
                        && name.length() == 65 + SUFFIX.length() && name.endsWith(SUFFIX) && name.charAt(32) == '.'
                        && secret.verify(text, name.substring(0, 32) + name.substring(33, 65))) {
                    return true;
                }
            }
            return false;
        } catch (CertificateParsingException e) {
            return false;
        }
    }

    /** What the secret signs: the public key as the certificate holds it. */
    private static String signed(PublicKey key) {
        return "tunneld-replica-key-1\n" + HexFormat.of().formatHex(key.getEncoded());
    }
}
