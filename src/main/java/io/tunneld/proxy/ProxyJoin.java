package io.tunneld.proxy;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.tunneld.metrics.TunnelMetrics;
import io.tunneld.protocol.FrameCodec;
import io.tunneld.protocol.StartProxy;
import io.tunneld.tunnel.Tunnel;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;

/**
 * Joins a public connection to a proxy connection of the tunnel's client: {@code StartProxy}
 * first, then the bytes already read from the public side, then both directions byte for
 * byte with backpressure, until either side closes (as 1.x does, closing both).
 */
@ApplicationScoped
public class ProxyJoin {

    private static final Logger LOG = Logger.getLogger(ProxyJoin.class);

    private final TunnelMetrics metrics;

    public ProxyJoin(TunnelMetrics metrics) {
        this.metrics = metrics;
    }

    /**
     * Gets a proxy from the tunnel's session, waiting up to {@code wait}, and joins it to the
     * paused public socket; runs {@code onNoProxy} on the public socket's context if none comes.
     *
     * @param replay bytes already read from the public side, or null
     */
    public void whenProxyReady(NetSocket publicSide, Tunnel tunnel, Buffer replay, Duration wait, Runnable onNoProxy) {
        Context context = Vertx.currentContext();
        long start = System.nanoTime();
        boolean[] publicClosed = new boolean[1];
        publicSide.closeHandler(v -> publicClosed[0] = true);
        publicSide.exceptionHandler(e -> LOG.debugf("public connection %s: %s", publicSide.remoteAddress(), e.getMessage()));
        tunnel.control().acquireProxy(context, wait).onComplete(ar -> {
            metrics.proxyWait(Duration.ofNanos(System.nanoTime() - start), ar.succeeded());
            if (ar.failed()) {
                LOG.debugf("tunnel %s: %s", tunnel, ar.cause().getMessage());
                onNoProxy.run();
            } else if (publicClosed[0]) {
                // Unused: it has not seen StartProxy, so another connection can have it.
                tunnel.control().returnProxy(ar.result());
            } else {
                join(publicSide, ar.result(), tunnel, replay);
            }
        });
    }

    private void join(NetSocket publicSide, NetSocket proxy, Tunnel tunnel, Buffer replay) {
        // One write with the frame at its start: the frame never straddles TLS records.
        Buffer first = FrameCodec.encode(new StartProxy(tunnel.url(), clientAddr(publicSide.remoteAddress())));
        if (replay != null) {
            first.appendBuffer(replay);
            metrics.bytesIn().increment(replay.length());
        }
        proxy.write(first);
        pump(publicSide, proxy, metrics.bytesIn());
        pump(proxy, publicSide, metrics.bytesOut());
        publicSide.resume();
    }

    /** Copies one direction, pausing the reader while the writer's queue is full. */
    private static void pump(NetSocket from, NetSocket to, Counter bytes) {
        from.handler(data -> {
            bytes.increment(data.length());
            to.write(data);
            if (to.writeQueueFull()) {
                from.pause();
            }
        });
        to.drainHandler(v -> from.resume());
        from.endHandler(v -> to.end());
        from.closeHandler(v -> to.close());
        from.exceptionHandler(e -> LOG.debugf("joined connection %s: %s", from.remoteAddress(), e.getMessage()));
    }

    /** "ip:port" as Go writes it, brackets around IPv6. */
    static String clientAddr(SocketAddress address) {
        if (address == null) {
            return "";
        }
        String host = address.hostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.port();
    }
}
