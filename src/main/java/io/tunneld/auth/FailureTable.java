package io.tunneld.auth;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.function.LongSupplier;

/**
 * Recent authentication failures by key (a source, or a presented ClientId), in a table of at
 * most {@code capacity} keys. A key's failures are forgotten once its latest one is older than
 * the window; a key with at least {@code budget} failures is under penalty.
 *
 * <p>Eviction: when the table is full, a new key pushes out the key <em>not</em> under penalty
 * whose latest failure is oldest; only when every key is under penalty does it push out the
 * oldest of those. So an attacker with many sources, each failing a little, cannot flush the
 * penalty of a source that fails a lot. Only failures add keys: a clean source costs nothing.
 * Thread-safe.
 */
final class FailureTable {

    private final int capacity;
    private final int budget;
    private final long windowNanos;
    private final LongSupplier nanoClock;
    /** Keys under budget, oldest latest failure first (a failure moves its key to the end). */
    private final LinkedHashMap<String, Failures> probation = new LinkedHashMap<>();
    /** Keys under penalty, in the same order. */
    private final LinkedHashMap<String, Failures> penalised = new LinkedHashMap<>();

    private static final class Failures {
        int count;
        long latest;
    }

    FailureTable(int capacity, int budget, Duration window, LongSupplier nanoClock) {
        this.capacity = Math.max(1, capacity);
        this.budget = budget;
        this.windowNanos = window.toNanos();
        this.nanoClock = nanoClock;
    }

    /**
     * How far the key is past its budget: 0 when it is not under penalty, 1 when it has just
     * used up its budget, one more for each failure after that.
     */
    synchronized int overBudget(String key) {
        forgetExpired(nanoClock.getAsLong());
        Failures failures = penalised.get(key);
        return failures == null ? 0 : failures.count - budget + 1;
    }

    /** Records a failure of the key; returns its failures within the window, this one included. */
    synchronized int fail(String key) {
        long now = nanoClock.getAsLong();
        forgetExpired(now);
        Failures failures = probation.remove(key);
        if (failures == null) {
            failures = penalised.remove(key);
        }
        if (failures == null) {
            if (size() >= capacity) {
                evictOne();
            }
            failures = new Failures();
        }
        if (failures.count < Integer.MAX_VALUE) {
            failures.count++;
        }
        failures.latest = now;
        (failures.count >= budget ? penalised : probation).put(key, failures);
        return failures.count;
    }

    /** Keys remembered now. */
    synchronized int size() {
        return probation.size() + penalised.size();
    }

    private void evictOne() {
        LinkedHashMap<String, Failures> from = probation.isEmpty() ? penalised : probation;
        Iterator<Failures> oldest = from.values().iterator();
        oldest.next();
        oldest.remove();
    }

    private void forgetExpired(long now) {
        forgetExpired(probation, now);
        forgetExpired(penalised, now);
    }

    private void forgetExpired(LinkedHashMap<String, Failures> keys, long now) {
        Iterator<Failures> oldestFirst = keys.values().iterator();
        while (oldestFirst.hasNext() && now - oldestFirst.next().latest > windowNanos) {
            oldestFirst.remove();
        }
    }
}
