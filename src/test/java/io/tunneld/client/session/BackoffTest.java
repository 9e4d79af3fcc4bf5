package io.tunneld.client.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

/** Reconnection delays and the heartbeat's verdict, computed, not waited for. */
class BackoffTest {

    @Test
    void delaysDoubleUpTo30sWithJitterAndStartOverAfterASuccess() {
        Backoff b = new Backoff();
        long[] ceilings = { 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000 };
        for (long ceiling : ceilings) {
            long ms = b.next().toMillis();
            assertTrue(ms >= ceiling / 2 && ms <= ceiling, ms + " for " + ceiling);
        }
        b.reset();
        assertTrue(b.next().compareTo(Duration.ofSeconds(1)) <= 0);
        long distinct = IntStream.range(0, 50).mapToObj(i -> new Backoff().next().toMillis()).distinct().count();
        assertTrue(distinct > 1, "jittered");
    }

    @Test
    void aPongMoreThan15sLateMakesTheConnectionStale() {
        long s = 1_000_000_000L;
        Heartbeat h = new Heartbeat(0);
        assertEquals(-1, h.staleSeconds(100 * s), "no ping sent, nothing awaited");
        h.pinged(100 * s);
        assertEquals(-1, h.staleSeconds(115 * s));
        assertEquals(16, h.staleSeconds(116 * s + 1));
        h.ponged(101 * s);
        assertEquals(-1, h.staleSeconds(200 * s), "answered");
    }
}
