package io.tunneld.tunnel;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The credentials a visitor of an HTTP(S) tunnel opened with {@code -httpauth} must present,
 * kept only as a keyed digest (HMAC-SHA256) of the expected {@code Authorization} value: the
 * password is never stored, logged, or shared with other replicas, and a reader of the
 * cluster directory cannot test guesses offline without the key. Presented credentials are
 * compared as digests, in constant time.
 */
public final class BasicAuth {

    private final SecretKeySpec key;
    private final byte[] verifier;

    private BasicAuth(SecretKeySpec key, byte[] verifier) {
        this.key = key;
        this.verifier = verifier;
    }

    /** For {@code user:password} as the client sent it in {@code HttpAuth}. */
    static BasicAuth of(SecretKeySpec key, String userPassword) {
        String encoded = Base64.getEncoder().encodeToString(userPassword.getBytes(StandardCharsets.UTF_8));
        return new BasicAuth(key, digest(key, encoded));
    }

    /** From a verifier another replica made with the same key. */
    static BasicAuth fromVerifier(SecretKeySpec key, String hex) {
        return new BasicAuth(key, HexFormat.of().parseHex(hex));
    }

    /** The digest as hex, for the cluster directory. */
    public String verifier() {
        return HexFormat.of().formatHex(verifier);
    }

    /**
     * Whether an {@code Authorization} header value (without the whitespace around it) carries
     * the credentials: scheme {@code Basic} in any case (RFC 7617), then spaces only (RFC
     * 9110), not any control character.
     */
    public boolean admits(String presented) {
        if (presented == null || presented.length() < 6 || !presented.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        int from = 6;
        while (from < presented.length() && presented.charAt(from) == ' ') {
            from++;
        }
        return MessageDigest.isEqual(verifier, digest(key, presented.substring(from)));
    }

    private static byte[] digest(SecretKeySpec key, String credentials) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(credentials.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Never print credentials, nor their digest. */
    @Override
    public String toString() {
        return "BasicAuth[***]";
    }
}
