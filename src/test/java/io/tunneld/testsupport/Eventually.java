package io.tunneld.testsupport;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Waiting for what the server does asynchronously (a close, a count reached), within 5 s. */
public final class Eventually {

    private Eventually() {
    }

    /** Polls {@code condition} every 10 ms for up to 5 s; fails the test if it never holds. */
    public static void eventually(BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean() && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertTrue(condition.getAsBoolean(), "not within 5 s");
    }
}
