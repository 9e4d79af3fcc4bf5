package io.tunneld.tunnel;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;

import io.tunneld.config.TunneldConfig;

/**
 * The key under which tunnels' basic-auth credentials are digested: the cluster secret, so
 * that every replica checks credentials another one registered, or on a single node a random
 * key of this process.
 */
@ApplicationScoped
public class BasicAuthKey {

    private final SecretKeySpec key;

    public BasicAuthKey(TunneldConfig config) {
        byte[] material = config.cluster().redisUrl().isPresent() && config.cluster().secret().isPresent()
                ? ("tunneld-basic-auth\n" + config.cluster().secret().get()).getBytes(StandardCharsets.UTF_8)
                : randomKey();
        this.key = new SecretKeySpec(material, "HmacSHA256");
    }

    /** The check for {@code user:password}. */
    public BasicAuth of(String userPassword) {
        return BasicAuth.of(key, userPassword);
    }

    /** The check for a verifier from the cluster directory. */
    public BasicAuth fromVerifier(String hex) {
        return BasicAuth.fromVerifier(key, hex);
    }

    private static byte[] randomKey() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }
}
