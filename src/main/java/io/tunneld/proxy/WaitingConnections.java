package io.tunneld.proxy;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tunneld.tunnel.Tunnel;

/**
 * Public connections waiting for a proxy connection, counted per tunnel and kept within a
 * limit per tunnel, so that a flood of one tunnel's visitors costs that tunnel only.
 */
final class WaitingConnections {

    private final int limit;
    private final Map<Tunnel, Integer> byTunnel = new ConcurrentHashMap<>();
    private final AtomicInteger total = new AtomicInteger();

    WaitingConnections(int limit, MeterRegistry meters) {
        this.limit = limit;
        Gauge.builder("tunneld.connections.waiting", total, AtomicInteger::get).strongReference(true)
                .description("Public connections waiting for a proxy connection").register(meters);
    }

    /** The most that may wait for one tunnel. */
    int limit() {
        return limit;
    }

    /** Counts one more connection waiting for {@code tunnel}; false, and nothing counted, if it has its limit. */
    boolean add(Tunnel tunnel) {
        boolean[] added = new boolean[1];
        byTunnel.compute(tunnel, (t, waiting) -> {
            int n = waiting == null ? 0 : waiting;
            if (n >= limit) {
                return waiting;
            }
            added[0] = true;
            return n + 1;
        });
        if (added[0]) {
            total.incrementAndGet();
        }
        return added[0];
    }

    /** One connection that was counted for {@code tunnel} waits no more. */
    void remove(Tunnel tunnel) {
        byTunnel.computeIfPresent(tunnel, (t, waiting) -> waiting == 1 ? null : waiting - 1);
        total.decrementAndGet();
    }
}
