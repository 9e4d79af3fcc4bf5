package io.tunneld.proxy;

import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tunneld.limits.PerKeyLimit;
import io.tunneld.tunnel.Tunnel;

/**
 * Public connections waiting for a proxy connection, counted per tunnel and kept within a
 * limit per tunnel, so that a flood of one tunnel's visitors costs that tunnel only.
 */
final class WaitingConnections {

    private final PerKeyLimit<Tunnel> byTunnel;
    private final AtomicInteger total = new AtomicInteger();

    WaitingConnections(int limit, MeterRegistry meters) {
        this.byTunnel = new PerKeyLimit<>(limit);
        Gauge.builder("tunneld.connections.waiting", total, AtomicInteger::get).strongReference(true)
                .description("Public connections waiting for a proxy connection").register(meters);
    }

    /** The most that may wait for one tunnel. */
    int limit() {
        return byTunnel.limit();
    }

    /** Counts one more connection waiting for {@code tunnel}; false, and nothing counted, if it has its limit. */
    boolean add(Tunnel tunnel) {
        if (!byTunnel.add(tunnel)) {
            return false;
        }
        total.incrementAndGet();
        return true;
    }

    /** One connection that was counted for {@code tunnel} waits no more. */
    void remove(Tunnel tunnel) {
        byTunnel.remove(tunnel);
        total.decrementAndGet();
    }
}
