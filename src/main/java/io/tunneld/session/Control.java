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
import io.tunneld.protocol.StartProxy;
import io.tunneld.tunnel.Protocol;
import io.tunneld.tunnel.ProxyConnection;
import io.tunneld.tunnel.ProxySource;
import io.tunneld.tunnel.Tunnel;
import io.tunneld.tunnel.TunnelException;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;

/**
 * One client session: its control connection, heartbeat, tunnels and proxy pool. Shutting
 * it down frees all of them; connections already joined may finish. It serves its tunnels'
 * public connections ({@link ProxySource}): those arriving here, and in a cluster those
 * arriving on other replicas, which ask for proxies through {@link #acquireFor}.
 */
public final class Control implements ProxySource {

    private static final Logger LOG = Logger.getLogger(Control.class);

    private final SessionGrant grant;
    private final String instance;
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

    Control(SessionGrant grant, String instance, Principal principal, NetSocket socket, FrameWriter writer,
            Vertx vertx, ControlRegistry registry, TunnelOpener opener, TunneldConfig config) {
        this.grant = grant;
        this.instance = instance;
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
        return grant.id();
    }

    @Override
    public String clientId() {
        return grant.id();
    }

    /** This session among all that ever had its id (a replaced session is another instance). */
    public String instance() {
        return instance;
    }

    /** Who opened this session. */
    public Principal principal() {
        return principal;
    }

    /** Random hosts and TCP ports the id held before this session, oldest first. */
    SessionGrant remembered() {
        return grant;
    }

    /** Its tunnels now. */
    public List<Tunnel> tunnels() {
        return List.copyOf(tunnels);
    }

    /** The id shortened for logs: the whole id lets anyone attach proxies to this session. */
    public String logId() {
        String id = grant.id();
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

    @Override
    public Runnable acquire(Context caller, StartProxy start, Duration timeout, Promise<ProxyConnection> promise) {
        Promise<PooledProxy> pooled = Promise.promise();
        pooled.future().onComplete(ar -> {
            if (ar.failed()) {
                promise.tryFail(ar.cause());
                return;
            }
            ar.result().open(start).onComplete(opened -> {
                if (opened.failed()) {
                    promise.tryFail(opened.cause());
                } else if (!promise.tryComplete(opened.result())) {
                    giveBack(opened.result());
                }
            });
        });
        pool.acquire(caller, ((ContextInternal) caller).nettyEventLoop(), timeout, pooled);
        return () -> pool.cancel(pooled);
    }

    @Override
    public void giveBack(ProxyConnection proxy) {
        if (proxy.started()) {
            // Another replica has told the client already: it cannot serve another connection.
            proxy.socket().close();
        } else {
            pool.place(new LocalProxy(proxy.socket()));
        }
    }

    /**
     * A proxy for a public connection that arrived on another replica ({@code replica}),
     * within {@code timeout}; completes {@code promise} on {@code context}.
     *
     * @return what to run if that connection leaves before the proxy comes
     */
    public Runnable acquireFor(Context context, String replica, Duration timeout, Promise<PooledProxy> promise) {
        pool.acquire(context, replica, timeout, promise);
        return () -> pool.cancel(promise);
    }

    /** A proxy the client registered in answer to a ReqProxy, here or on another replica. */
    public void offerProxy(PooledProxy proxy) {
        pool.registered(proxy);
    }

    /** A proxy handed out but not used after all. */
    public void returnProxy(PooledProxy proxy) {
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
        if (release("server stopping", Logger.Level.DEBUG)) {
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
        opener.close(this, held);
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
                opener.close(this, ar.result());
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
