package io.tunneld.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.runtime.Startup;

import org.jboss.logging.Logger;

import io.tunneld.config.TunneldConfig;

/**
 * Checks the token a client sends as {@code Auth.User} (1.x never checked it). Tokens are
 * compared as SHA-256 digests in constant time, against every configured token, so neither
 * timing nor length tells a guesser anything. With authentication on and no token
 * configured, one is generated and printed once at start.
 */
@Startup
@ApplicationScoped
public class ClientAuthenticator {

    private static final Logger LOG = Logger.getLogger(ClientAuthenticator.class);

    private final boolean enabled;
    private final List<byte[]> digests = new ArrayList<>();

    public ClientAuthenticator(TunneldConfig config) {
        this.enabled = config.auth().enabled();
        List<String> tokens = tokens(config.auth());
        if (!enabled) {
            LOG.warn("Client authentication is OFF (tunneld.auth.enabled=false): anyone who reaches the "
                    + "tunnel port can open tunnels");
            return;
        }
        if (tokens.isEmpty()) {
            String generated = generateToken();
            tokens = List.of(generated);
            // The one place a secret is printed: the operator needs it to connect a client.
            LOG.infof("No client token configured (tunneld.auth.tokens); generated one for this run: %s", generated);
        }
        tokens.forEach(t -> digests.add(sha256(t)));
    }

    /**
     * The configured tokens, trimmed, blank ones left out; the principal of each is named by its
     * position here ({@code token-1} first).
     */
    public static List<String> tokens(TunneldConfig.Auth auth) {
        return auth.tokens().orElse(List.of()).stream().map(String::trim).filter(t -> !t.isEmpty()).toList();
    }

    /** The principal owning this token, or empty if the token is not accepted. */
    public Optional<Principal> authenticate(String token) {
        if (!enabled) {
            return Optional.of(Principal.ANONYMOUS);
        }
        byte[] presented = sha256(token);
        int match = -1;
        for (int i = 0; i < digests.size(); i++) {
            // No early exit: every token is compared whatever the outcome.
            if (MessageDigest.isEqual(presented, digests.get(i)) && match < 0) {
                match = i;
            }
        }
        return match < 0 ? Optional.empty() : Optional.of(new Principal("token-" + (match + 1)));
    }

    private static String generateToken() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
