package io.tunneld.tls;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.netty.handler.ssl.OpenSslServerSessionContext;
import io.netty.handler.ssl.OpenSslSessionStats;
import io.netty.handler.ssl.OpenSslSessionTicketKey;

/**
 * The keys that seal a listener's TLS session tickets (TLS 1.3 tickets and TLS 1.2 RFC 5077
 * tickets), so that a client's next connection resumes instead of making a full handshake: a
 * proxy connection per public connection makes handshakes the tunnel port's largest cost on
 * both sides. The keys of an hour-long window are derived from a master key; tickets are sealed
 * with the current window's key and opened with it, the previous window's (tickets issued just
 * before a rotation) or the next one's (a replica whose clock runs a little ahead). The replicas
 * of a cluster derive the master key from their shared secret, so a ticket from one opens on
 * any other; a single process draws it at random, and a restart invalidates its tickets
 * (clients then make a full handshake, as without tickets).
 */
final class SessionTicketKeys {

    static final Duration WINDOW = Duration.ofHours(1);

    private final byte[] master;
    private final String listener;
    /** The session contexts using these keys: Vert.x makes them lazily, and drops them with their server. */
    private final Set<OpenSslServerSessionContext> contexts = Collections.synchronizedSet(
            Collections.newSetFromMap(new WeakHashMap<>()));
    private volatile long installedWindow = Long.MIN_VALUE;

    private SessionTicketKeys(byte[] master, String listener) {
        this.master = master;
        this.listener = listener;
    }

    /** Keys every process given the same secret derives alike: the replicas of a cluster. */
    static SessionTicketKeys fromSecret(String secret, String listener) {
        return new SessionTicketKeys(hmac(secret.getBytes(StandardCharsets.UTF_8), "tunneld-session-tickets"), listener);
    }

    /** Keys of this process only. */
    static SessionTicketKeys random(String listener) {
        byte[] master = new byte[32];
        new SecureRandom().nextBytes(master);
        return new SessionTicketKeys(master, listener);
    }

    /** Seals this context's tickets with these keys from now on, and keeps them current. */
    void install(OpenSslServerSessionContext context) {
        context.setTicketKeys(keysAt(Instant.now()));
        contexts.add(context);
    }

    /** Moves every context to the current window's keys once a window has ended; cheap otherwise. */
    void rotate(Instant now) {
        long window = window(now);
        if (window == installedWindow) {
            return;
        }
        OpenSslSessionTicketKey[] keys = keysAt(now);
        synchronized (contexts) {
            contexts.forEach(c -> c.setTicketKeys(keys));
        }
        installedWindow = window;
    }

    /** Handshakes that resumed a session from one of these tickets, on every context. */
    long resumed() {
        synchronized (contexts) {
            return contexts.stream().map(OpenSslServerSessionContext::stats)
                    .mapToLong(s -> s.ticketKeyResume() + s.ticketKeyRenew()).sum();
        }
    }

    /** Tickets presented that no key opens (another secret, or too old): each cost a full handshake. */
    long refused() {
        synchronized (contexts) {
            return contexts.stream().map(OpenSslServerSessionContext::stats)
                    .mapToLong(OpenSslSessionStats::ticketKeyFail).sum();
        }
    }

    /** The keys for {@code now}: the sealing one first, as BoringSSL (through netty-tcnative) takes it. */
    OpenSslSessionTicketKey[] keysAt(Instant now) {
        long window = window(now);
        return List.of(window, window - 1, window + 1).stream().map(this::keyOf)
                .toArray(OpenSslSessionTicketKey[]::new);
    }

    private static long window(Instant now) {
        return Math.floorDiv(now.getEpochSecond(), WINDOW.toSeconds());
    }

    private OpenSslSessionTicketKey keyOf(long window) {
        byte[] bytes = hmac(master, listener + "\n" + window);
        int n = OpenSslSessionTicketKey.NAME_SIZE;
        int h = OpenSslSessionTicketKey.HMAC_KEY_SIZE;
        return new OpenSslSessionTicketKey(Arrays.copyOfRange(bytes, 0, n), Arrays.copyOfRange(bytes, n, n + h),
                Arrays.copyOfRange(bytes, n + h, n + h + OpenSslSessionTicketKey.AES_KEY_SIZE));
    }

    /** HMAC-SHA512: 64 bytes, enough for a key's name, HMAC key and AES key (16 each). */
    private static byte[] hmac(byte[] key, String label) {
        try {
            Mac mac = Mac.getInstance("HmacSHA512");
            mac.init(new SecretKeySpec(key, "HmacSHA512"));
            return mac.doFinal(label.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
