package io.tunneld.cluster;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.quarkus.runtime.configuration.ConfigurationException;

/**
 * The secret every replica of a cluster shares: it signs what replicas say to each other on
 * the forward port, and keys the verifiers of tunnels' basic-auth credentials kept in Redis,
 * so that neither a stranger on the network nor a reader of Redis can pass for a replica or
 * test passwords offline.
 */
final class ClusterSecret {

    /** Shorter secrets are refused at start: they could be guessed. */
    static final int MIN_LENGTH = 16;

    private final SecretKeySpec key;

    ClusterSecret(String secret) {
        if (secret.length() < MIN_LENGTH) {
            throw new ConfigurationException("tunneld.cluster.secret must be at least " + MIN_LENGTH
                    + " characters");
        }
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    }

    /** HMAC-SHA256 of {@code text}, hex. */
    String sign(String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether {@code signature} is the signature of {@code text}, in constant time. */
    boolean verify(String text, String signature) {
        return MessageDigest.isEqual(sign(text).getBytes(StandardCharsets.US_ASCII),
                signature.getBytes(StandardCharsets.US_ASCII));
    }
}
