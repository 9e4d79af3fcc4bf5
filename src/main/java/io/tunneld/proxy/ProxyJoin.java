package io.tunneld.proxy;

import java.time.Duration;
import java.util.function.IntConsumer;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.runtime.Startup;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.util.ReferenceCountUtil;
import io.tunneld.config.TunneldConfig;
import io.tunneld.metrics.RefusalLog;
import io.tunneld.metrics.TunnelMetrics;
import io.tunneld.protocol.FrameCodec;
import io.tunneld.protocol.StartProxy;
import io.tunneld.tunnel.ProxyConnection;
import io.tunneld.tunnel.Tunnel;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.impl.NetSocketInternal;

/**
 * Joins a public connection to a proxy connection of the tunnel's client: {@code StartProxy}
 * first, then the bytes already read from the public side, then both directions byte for
 * byte with backpressure, until either side closes (as 1.x does, closing both) or nothing has
 * moved for a long time ({@link JoinedConnections}).
 *
 * <p>Bytes are relayed as Netty's own buffers ({@link NetSocketInternal#messageHandler}):
 * the public {@code NetSocket} API would copy every buffer once more on the way through.
 * Backpressure is therefore applied at the channel, by turning auto-read off while the
 * other side's write queue is full.
 */
@Startup
@ApplicationScoped
public class ProxyJoin {

    private static final Logger LOG = Logger.getLogger(ProxyJoin.class);
    private final RefusalLog refusals = new RefusalLog(LOG);

    private final TunnelMetrics metrics;
    private final JoinedConnections joined;
    private final WaitingConnections waiting;

    public ProxyJoin(TunnelMetrics metrics, JoinedConnections joined, TunneldConfig config) {
        this.metrics = metrics;
        this.joined = joined;
        this.waiting = new WaitingConnections(config.limits().waitingPerTunnel(), metrics.registry());
    }

    /** Stops reading a public connection until it is joined; bytes already read are kept by the caller. */
    public static void hold(NetSocket socket) {
        channel(socket).config().setAutoRead(false);
    }

    /** Reads a held connection again. */
    public static void release(NetSocket socket) {
        channel(socket).config().setAutoRead(true);
    }

    /**
     * Gets a proxy from the tunnel's session, waiting up to {@code wait}, and joins it to the
     * held public socket; runs {@code onNoProxy} on the public socket's context if none comes.
     * Returns false, and does nothing, if the tunnel already has as many public connections
     * waiting as {@code tunneld.limits.waiting-per-tunnel} allows: the caller refuses this one.
     *
     * @param replay bytes already read from the public side (may grow until the join)
     */
    public boolean whenProxyReady(NetSocket publicSide, Tunnel tunnel, Buffer replay, Duration wait, Runnable onNoProxy) {
        if (!waiting.add(tunnel)) {
            metrics.connectionRefused(TunnelMetrics.WAITING_PER_TUNNEL);
            refusals.refused("tunnel %s: public connection from %s refused: %d connections already wait for a proxy"
                    + " (tunneld.limits.waiting-per-tunnel)", tunnel.url(), publicSide.remoteAddress(), waiting.limit());
            return false;
        }
        Context context = Vertx.currentContext();
        long start = System.nanoTime();
        StartProxy startProxy = new StartProxy(tunnel.url(), clientAddr(publicSide.remoteAddress()));
        Promise<ProxyConnection> proxy = Promise.promise();
        boolean[] publicClosed = new boolean[1];
        Runnable[] cancel = new Runnable[1];
        publicSide.closeHandler(v -> {
            publicClosed[0] = true;
            if (cancel[0] != null) {
                cancel[0].run();
            }
        });
        publicSide.exceptionHandler(e -> LOG.debugf("public connection %s: %s", publicSide.remoteAddress(), e.getMessage()));
        proxy.future().onComplete(ar -> {
            waiting.remove(tunnel);
            if (publicClosed[0]) {
                if (ar.succeeded()) {
                    // Unused: unless another replica told the client already, another connection can have it.
                    tunnel.source().giveBack(ar.result());
                }
                return;
            }
            metrics.proxyWait(Duration.ofNanos(System.nanoTime() - start), ar.succeeded());
            if (ar.failed()) {
                LOG.debugf("tunnel %s: %s", tunnel, ar.cause().getMessage());
                onNoProxy.run();
            } else {
                join(publicSide, ar.result(), startProxy, replay);
            }
        });
        cancel[0] = tunnel.source().acquire(context, startProxy, wait, proxy);
        return true;
    }

    /** Public connections joined now, forwarded ones included: what a graceful stop waits for. */
    public int joined() {
        return joined.count();
    }

    /**
     * Joins a connection from another replica, which claimed a proxy parked here for one of
     * its public connections, to that proxy: {@code StartProxy} first, then {@code rest} (bytes
     * already read from that replica). Its bytes are counted where the public connection is.
     */
    public void joinForwarded(NetSocket fromReplica, NetSocket proxy, StartProxy startProxy, Buffer rest) {
        Buffer first = FrameCodec.encode(startProxy);
        first.appendBuffer(rest);
        JoinedConnections.Pair pair = joined.add(fromReplica, proxy);
        start(fromReplica, proxy, first, n -> pair.moved(), n -> pair.moved());
    }

    private void join(NetSocket publicSide, ProxyConnection proxy, StartProxy startProxy, Buffer replay) {
        Buffer first;
        if (proxy.started()) {
            first = replay;
        } else {
            // One write with the frame at its start: the frame never straddles TLS records.
            first = FrameCodec.encode(startProxy);
            first.appendBuffer(replay);
        }
        Counter in = metrics.bytesIn();
        Counter out = metrics.bytesOut();
        in.increment(replay.length());
        if (proxy.early().length() > 0) {
            out.increment(proxy.early().length());
            publicSide.write(proxy.early());
        }
        JoinedConnections.Pair pair = joined.add(publicSide, proxy.socket());
        start(publicSide, proxy.socket(), first, n -> {
            in.increment(n);
            pair.moved();
        }, n -> {
            out.increment(n);
            pair.moved();
        });
    }

    /**
     * Relays both ways, then sends {@code first} on the proxy, then reads the held public side
     * again. In that order: the client answers as soon as {@code first} arrives, on the proxy's
     * own event loop, which may be another one than this; an answer that came before the relay
     * would meet the proxy's idle handler and be lost. The proxy may also have closed on its
     * loop since it was taken, when its close met the pool's handler: the public side is closed
     * then, as it would be a moment later. Looked at after the relay's handlers are in place, a
     * close is seen one way or the other.
     */
    static void start(NetSocket publicSide, NetSocket proxy, Buffer first, IntConsumer in, IntConsumer out) {
        relay(publicSide, proxy, in);
        relay(proxy, publicSide, out);
        if (!channel(proxy).isActive()) {
            publicSide.close();
            return;
        }
        proxy.write(first);
        release(publicSide);
    }

    /**
     * Relays one direction, reading from {@code from} only while {@code to} can take more, and
     * reports each buffer's size to {@code counted}. The end or close of {@code from} ends or
     * closes {@code to}.
     */
    public static void relay(NetSocket from, NetSocket to, IntConsumer counted) {
        Channel input = channel(from);
        NetSocketInternal output = (NetSocketInternal) to;
        ((NetSocketInternal) from).messageHandler(message -> {
            if (!(message instanceof ByteBuf data)) {
                ReferenceCountUtil.release(message);
                return;
            }
            counted.accept(data.readableBytes());
            // No completion handler: the Future-returning form makes three promises per buffer.
            output.writeMessage(data, null);
            if (output.writeQueueFull()) {
                input.config().setAutoRead(false);
                // On another event loop the output can drain, and its drain handler find
                // reading still on, between the check and the pause: look again, or reading
                // stays off for good. (Vert.x's own pipes do the same when they set theirs.)
                if (!output.writeQueueFull()) {
                    input.config().setAutoRead(true);
                }
            }
        });
        to.drainHandler(v -> input.config().setAutoRead(true));
        from.endHandler(v -> to.end());
        from.closeHandler(v -> to.close());
        from.exceptionHandler(e -> LOG.debugf("joined connection %s: %s", from.remoteAddress(), e.getMessage()));
    }

    private static Channel channel(NetSocket socket) {
        return ((NetSocketInternal) socket).channelHandlerContext().channel();
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
