package io.tunneld.cluster;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Names of parked proxy connections that other replicas may claim. A handle is the only
 * thing a claim presents, so it is a capability: 128 random bits, learnt only over
 * authenticated links, used once. An instance per owner, never a static one: a native image
 * initialises classes at build time, and a generator made then would be in the image, its
 * seed the same in every process.
 */
final class Handles {

    private final SecureRandom random = new SecureRandom();

    String next() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** Random hex for challenges. */
    String challenge() {
        return next();
    }
}
