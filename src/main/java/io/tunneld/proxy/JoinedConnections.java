package io.tunneld.proxy;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.runtime.Startup;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Gauge;
import io.tunneld.config.TunneldConfig;
import io.tunneld.metrics.TunnelMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketInternal;

/**
 * Public connections joined to a proxy connection, and the bound on idle ones: a pair through
 * which no byte has moved either way for {@code tunneld.timeouts.joined-idle} is closed. Idle
 * means both ways: a long download to a visitor who sends nothing is not idle, and a pair held
 * up by a reader that stopped reading is.
 *
 * <p>The data path pays one flag per buffer, no timer: a relay reads the flag and writes it
 * only when a sweep has cleared it. One coarse sweep looks at every pair four times per idle
 * time, so a quiet pair is closed after one to one and a quarter idle times.
 */
@Startup
@ApplicationScoped
public class JoinedConnections {

    private static final Logger LOG = Logger.getLogger(JoinedConnections.class);
    /** Sweeps per idle time. */
    private static final int SWEEPS = 4;

    /** One joined pair; both its relays mark every buffer on it. */
    static final class Pair {
        private final NetSocket publicSide;
        private final NetSocket proxy;
        private final AtomicBoolean moved = new AtomicBoolean(true);
        /** Sweeps in a row that found nothing moved; touched by the sweep only. */
        private int quietSweeps;

        private Pair(NetSocket publicSide, NetSocket proxy) {
            this.publicSide = publicSide;
            this.proxy = proxy;
        }

        /** A buffer went through. */
        void moved() {
            if (!moved.get()) {
                moved.set(true);
            }
        }
    }

    private final Set<Pair> pairs = ConcurrentHashMap.newKeySet();
    private final Duration idle;

    public JoinedConnections(TunneldConfig config, TunnelMetrics metrics, Vertx vertx) {
        this.idle = config.timeouts().joinedIdle();
        Gauge.builder("tunneld.connections.joined", pairs, Set::size).strongReference(true)
                .description("Public connections joined to a proxy connection").register(metrics.registry());
        if (!idle.isZero()) {
            vertx.setPeriodic(Math.max(1, idle.toMillis() / SWEEPS), id -> sweep());
        }
    }

    /** Pairs joined now. */
    int count() {
        return pairs.size();
    }

    /** Tracks a pair about to be joined until its public side closes (the relay closes both together). */
    Pair add(NetSocket publicSide, NetSocket proxy) {
        Pair pair = new Pair(publicSide, proxy);
        pairs.add(pair);
        ((NetSocketInternal) publicSide).channelHandlerContext().channel().closeFuture()
                .addListener(f -> pairs.remove(pair));
        return pair;
    }

    private void sweep() {
        for (Pair pair : pairs) {
            if (pair.moved.getAndSet(false)) {
                pair.quietSweeps = 0;
            } else if (++pair.quietSweeps == SWEEPS) {
                LOG.debugf("joined connection %s closed: nothing moved for %s (tunneld.timeouts.joined-idle)",
                        pair.publicSide.remoteAddress(), idle);
                pair.publicSide.close();
                pair.proxy.close();
            }
        }
    }
}
