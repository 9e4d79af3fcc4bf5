package io.tunneld.tls;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.HexFormat;

/**
 * What a TLS listener serves: a certificate chain, leaf first, and the leaf's private key.
 * Its alias for key managers is the leaf's SHA-256, so that one alias always means one pair.
 */
record Credentials(X509Certificate[] chain, PrivateKey key, String alias) {

    private static final byte[] CHALLENGE = "tunneld: does this key belong to this certificate?"
            .getBytes(StandardCharsets.US_ASCII);

    static Credentials of(X509Certificate[] chain, PrivateKey key) {
        try {
            return new Credentials(chain, key, HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(chain[0].getEncoded())));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    X509Certificate leaf() {
        return chain[0];
    }

    /** When the leaf expires. */
    Instant notAfter() {
        return leaf().getNotAfter().toInstant();
    }

    /** SHA-256 of the leaf as browsers and openssl print it (AB:CD:...). */
    String sha256Fingerprint() {
        return HexFormat.ofDelimiter(":").withUpperCase().formatHex(HexFormat.of().parseHex(alias));
    }

    /**
     * Whether the key is the leaf's: it signs, and the leaf's public key verifies the signature.
     * A key of another pair (or of another algorithm) cannot, and would fail every handshake.
     */
    boolean keyMatches() {
        // RSA or EC: the key types PEM files are read for (as Vert.x reads them), and BoringSSL serves.
        String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(CHALLENGE);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(leaf().getPublicKey());
            verifier.update(CHALLENGE);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
