package io.tunneld.client.session;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Delays between reconnection attempts: doubling from 1 s up to 30 s (1.x's bounds), each
 * drawn between half and all of that, so that clients cut off together do not come back
 * together.
 */
final class Backoff {

    private static final long FIRST_MS = 1_000;
    private static final long MAX_MS = 30_000;

    private long ceilingMs = FIRST_MS;

    /** The next delay; each call doubles the ceiling for the one after. */
    Duration next() {
        long ceiling = ceilingMs;
        ceilingMs = Math.min(MAX_MS, ceilingMs * 2);
        return Duration.ofMillis(ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1));
    }

    /** After a session came online: the next failure starts again from the first delay. */
    void reset() {
        ceilingMs = FIRST_MS;
    }
}
