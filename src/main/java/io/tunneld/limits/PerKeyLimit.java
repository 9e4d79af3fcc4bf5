package io.tunneld.limits;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts per key (connections per tunnel, per source address), each kept within one limit;
 * a key is forgotten when its count is back to zero. Thread-safe: a count and its check are
 * one atomic step.
 */
public final class PerKeyLimit<K> {

    private final int limit;
    private final Map<K, Integer> counts = new ConcurrentHashMap<>();

    public PerKeyLimit(int limit) {
        this.limit = limit;
    }

    /** The most counted for one key. */
    public int limit() {
        return limit;
    }

    /** Counts one more for {@code key}; false, and nothing counted, if it has its limit. */
    public boolean add(K key) {
        boolean[] added = new boolean[1];
        counts.compute(key, (k, count) -> {
            int n = count == null ? 0 : count;
            if (n >= limit) {
                return count;
            }
            added[0] = true;
            return n + 1;
        });
        return added[0];
    }

    /** One counted for {@code key} is gone. */
    public void remove(K key) {
        counts.computeIfPresent(key, (k, count) -> count == 1 ? null : count - 1);
    }
}
