package io.tunneld.cluster;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Names of parked proxy connections that other replicas may claim. A handle is the only
 * thing a claim presents, so it is a capability: 128 random bits, learnt only over
 * authenticated links, used once.
 */
final class Handles {

    private static final SecureRandom RANDOM = new SecureRandom();

    private Handles() {
    }

    static String next() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** Random hex for challenges. */
    static String challenge() {
        return next();
    }
}
