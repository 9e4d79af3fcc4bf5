package io.tunneld.session;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jboss.logging.Logger;

import io.tunneld.auth.Principal;
import io.tunneld.config.TunneldConfig;
import io.tunneld.protocol.FrameWriter;
import io.tunneld.protocol.Message;
import io.tunneld.protocol.NewTunnel;
import io.tunneld.protocol.Ping;
import io.tunneld.protocol.Pong;
import io.tunneld.protocol.ReqProxy;
import io.tunneld.protocol.ReqTunnel;
import io.tunneld.tunnel.Protocol;
import io.tunneld.tunnel.Tunnel;
import io.tunneld.tunnel.TunnelException;
import io.tunneld.tunnel.TunnelOpener;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;

/**
 * One client session: its control connection, heartbeat, tunnels and proxy pool. Shutting
 * it down frees all of them; connections already joined may finish.
 */
public final class Control {

    private static final Logger LOG = Logger.getLogger(Control.class);

    private final String id;
    private final Principal principal;
    private final NetSocket socket;
    private final Context context;
    private final FrameWriter writer;
    private final ProxyPool pool;
    private final TunnelOpener opener;
    private final ControlRegistry registry;
    private final int maxTunnels;
    private final List<Tunnel> tunnels = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private int pendingTunnels;
    private volatile long lastPingNanos = System.nanoTime();

    Control(String id, Principal principal, NetSocket socket, FrameWriter writer, Vertx vertx,
            ControlRegistry registry, TunnelOpener opener, TunneldConfig config) {
        this.id = id;
        this.principal = principal;
        this.socket = socket;
        this.context = vertx.getOrCreateContext();
        this.writer = writer;
        this.registry = registry;
        this.opener = opener;
        this.maxTunnels = config.limits().tunnelsPerClient();
        this.pool = new ProxyPool(vertx, () -> writer.send(new ReqProxy()), config.limits().proxiesPerClient(),
                config.timeouts().proxyWait());
    }

    /** Starts serving: the first ReqProxy goes out at once, so a proxy waits before traffic comes. */
    void start() {
        socket.closeHandler(v -> shutdown("connection closed"));
        writer.overflowHandler(() -> shutdown("its answers pile up unread (tunneld.limits.control-write-queue)"));
        socket.exceptionHandler(e -> LOG.debugf("control %s: %s", logId(), e.getMessage()));
        pool.prime();
    }

    /** Client session id, as sent in AuthResp and RegProxy. */
    public String id() {
        return id;
    }

    /** Who opened this session. */
    public Principal principal() {
        return principal;
    }

    /** The id shortened for logs: the whole id lets anyone attach proxies to this session. */
    public String logId() {
        return id.length() > 8 ? id.substring(0, 8) : id;
    }

    /** Where the control connection comes from. */
    SocketAddress remoteAddress() {
        return socket.remoteAddress();
    }

    /** Time since the last Ping (or since authentication). */
    public Duration sinceLastPing() {
        return Duration.ofNanos(System.nanoTime() - lastPingNanos);
    }

    /**
     * A proxy connection for a public connection arriving on {@code caller}'s context,
     * within {@code timeout}; completes {@code promise} on that context.
     */
    public void acquireProxy(Context caller, Duration timeout, Promise<NetSocket> promise) {
        pool.acquire(caller, timeout, promise);
    }

    /** The public connection behind {@code promise} left before a proxy came. */
    public void cancelProxyWait(Promise<NetSocket> promise) {
        pool.cancel(promise);
    }

    /** Returns a proxy that was acquired but not used (its public peer went away first). */
    public void returnProxy(NetSocket proxy) {
        pool.place(proxy);
    }

    /** A control frame from the client, on this session's context. */
    void onMessage(Message message) {
        if (closed.get()) {
            return;
        }
        if (message instanceof Ping) {
            lastPingNanos = System.nanoTime();
            writer.send(new Pong());
        } else if (message instanceof ReqTunnel request) {
            openTunnels(request);
        } else if (message instanceof Pong) {
            lastPingNanos = System.nanoTime();
        } else {
            registry.rejected("unexpected");
            LOG.infof("control %s: closed for an unexpected %s frame", logId(), message.getClass().getSimpleName());
            shutdown("protocol violation");
        }
    }

    /** A proxy connection registered for this session (closed if the session is). */
    void offerProxy(NetSocket proxy) {
        pool.registered(proxy);
    }

    /** Periodic check: lost heartbeat, stale proxies. */
    void sweep(Duration heartbeat, Duration proxyIdle) {
        if (sinceLastPing().compareTo(heartbeat) > 0) {
            registry.heartbeatLost();
            shutdown("no Ping for " + heartbeat.toSeconds() + " s");
            return;
        }
        pool.sweep(proxyIdle, !tunnels.isEmpty());
    }

    /** Shuts the session down; idempotent, callable from any thread. */
    public void shutdown(String reason) {
        if (release(reason, Logger.Level.INFO)) {
            socket.close();
        }
    }

    /** Shuts the session down as the server stops, which logs once for all sessions. */
    void stop() {
        if (release("server shutting down", Logger.Level.DEBUG)) {
            socket.close();
        }
    }

    /**
     * Frees everything the session holds, once: returns false if it was already released.
     * The caller closes the connection, at once or after the frames still queued.
     */
    private boolean release(String reason, Logger.Level level) {
        if (!closed.compareAndSet(false, true)) {
            return false;
        }
        registry.remove(this);
        List<Tunnel> held;
        synchronized (tunnels) {
            held = List.copyOf(tunnels);
            tunnels.clear();
        }
        held.forEach(opener::close);
        pool.close();
        LOG.logf(level, "control %s (%s) closed: %s", logId(), principal.name(), reason);
        return true;
    }

    private void openTunnels(ReqTunnel request) {
        List<Protocol> protocols;
        try {
            protocols = opener.protocols(request);
            if (tunnels.size() + pendingTunnels + protocols.size() > maxTunnels) {
                throw new TunnelException("Too many tunnels: at most " + maxTunnels + " per client");
            }
        } catch (TunnelException e) {
            refuse(e.getMessage());
            return;
        }
        pendingTunnels += protocols.size();
        opener.open(this, request, protocols).onComplete(ar -> context.runOnContext(v -> {
            pendingTunnels -= protocols.size();
            if (ar.failed()) {
                refuse(ar.cause() instanceof TunnelException ? ar.cause().getMessage() : "Failed to open the tunnel");
                if (!(ar.cause() instanceof TunnelException)) {
                    LOG.warnf(ar.cause(), "control %s: opening %s failed", logId(), request);
                }
                return;
            }
            if (!keep(ar.result())) {
                ar.result().forEach(opener::close);
                return;
            }
            for (Tunnel tunnel : ar.result()) {
                writer.send(new NewTunnel(request.reqId(), tunnel.url(), tunnel.protocol().wireName(), ""));
                LOG.infof("control %s (%s): tunnel %s", logId(), principal.name(), tunnel.url());
            }
        }));
    }

    /**
     * Adds opened tunnels unless the session has closed meanwhile; false if it has. Checked and
     * added under the lock that {@link #release} empties the list under, since release runs on
     * any thread: a tunnel added after release emptied the list would outlive its session.
     */
    private boolean keep(List<Tunnel> opened) {
        synchronized (tunnels) {
            if (closed.get()) {
                return false;
            }
            tunnels.addAll(opened);
            return true;
        }
    }

    /** Tells the client why; like 1.x, a session left with no tunnel is closed after that. */
    private void refuse(String error) {
        LOG.infof("control %s (%s): tunnel refused: %s", logId(), principal.name(), error);
        writer.send(NewTunnel.failed(error));
        if (tunnels.isEmpty() && pendingTunnels == 0 && release("no tunnel left", Logger.Level.INFO)) {
            writer.end();
        }
    }
}
