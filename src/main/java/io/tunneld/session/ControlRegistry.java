package io.tunneld.session;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Gauge;
import io.quarkus.scheduler.Scheduled;
import io.tunneld.auth.AuthThrottle;
import io.tunneld.auth.ClientAuthenticator;
import io.tunneld.auth.Principal;
import io.tunneld.auth.SourceAddress;
import io.tunneld.config.TunneldConfig;
import io.tunneld.metrics.TunnelMetrics;
import io.tunneld.protocol.Auth;
import io.tunneld.protocol.AuthResp;
import io.tunneld.protocol.FrameWriter;
import io.tunneld.protocol.PeerText;
import io.tunneld.tunnel.DirectoryUnavailable;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;

/**
 * Live client sessions of this replica by ClientId. Authenticates new sessions, hands out
 * ids, lets a client resume its id (and so its URLs) only with the same token, and reaps
 * sessions whose heartbeat stopped. Which ids a principal may have is the
 * {@link SessionDirectory}'s to say: this process's memory, or the cluster's.
 */
@ApplicationScoped
public class ControlRegistry {

    private static final Logger LOG = Logger.getLogger(ControlRegistry.class);
    /** Protocol version 1.x speaks. */
    static final String VERSION = "2";
    /** Software version reported to clients; 1.x clients show it and expect 1.x. */
    static final String MM_VERSION = "1.7";
    /** Ids a client may bring back: what we hand out, and what other 1.x servers do. */
    private static final Pattern RESUMABLE_ID = Pattern.compile("[A-Za-z0-9_-]{8,64}");
    /** The 1.x client pings every 20 s: past 25 s without one it is late, though not yet dead. */
    private static final Duration PING_INTERVAL_AND_GRACE = Duration.ofSeconds(25);

    private final Map<String, Control> controls = new ConcurrentHashMap<>();
    /** Sessions open or being opened here: what {@code limits.controls} bounds. */
    private final AtomicInteger held = new AtomicInteger();
    private volatile boolean draining;
    private final SecureRandom random = new SecureRandom();
    private final TunneldConfig config;
    private final ClientAuthenticator authenticator;
    private final AuthThrottle throttle;
    private final TunnelOpener opener;
    private final SessionDirectory sessions;
    private final ForeignProxies foreign;
    private final TunnelMetrics metrics;
    private final Vertx vertx;

    public ControlRegistry(TunneldConfig config, ClientAuthenticator authenticator, AuthThrottle throttle,
            TunnelOpener opener, SessionDirectory sessions, ForeignProxies foreign, TunnelMetrics metrics, Vertx vertx) {
        this.config = config;
        this.authenticator = authenticator;
        this.throttle = throttle;
        this.opener = opener;
        this.sessions = sessions;
        this.foreign = foreign;
        this.metrics = metrics;
        this.vertx = vertx;
        Gauge.builder("tunneld.controls", controls, Map::size).strongReference(true)
                .description("Live client sessions of this replica").register(metrics.registry());
    }

    /**
     * Handles an {@code Auth} frame, on the control connection's context: answers AuthResp
     * (and the first ReqProxy) and completes with the new session, or refuses (or, with the
     * directory unreachable, closes) and completes empty.
     */
    Future<Optional<Control>> open(NetSocket socket, FrameWriter writer, Auth auth) {
        String peer = String.valueOf(socket.remoteAddress());
        if (draining) {
            // No AuthResp error: a stock client would quit; closed, it retries (elsewhere, in a cluster).
            LOG.infof("control connection from %s closed: the server is stopping", peer);
            socket.close();
            return Future.succeededFuture(Optional.empty());
        }
        if (!VERSION.equals(auth.version())) {
            return refuse(writer, "Incompatible versions. Server " + MM_VERSION + ", client "
                    + PeerText.printable(auth.version()) + ".", peer);
        }
        Optional<Principal> authenticated = authenticator.authenticate(auth.user());
        if (authenticated.isEmpty()) {
            metrics.authFailure();
            boolean penalised = throttle.failed(socket.remoteAddress(), auth.clientId());
            return refuse(writer, "Authentication failed: invalid auth token"
                    + (penalised ? "; too many failures, so answers are now delayed" : ""), peer);
        }
        Principal principal = authenticated.get();
        Optional<String> requested = resumableId(auth.clientId(), principal);
        if (!reserveSlot(requested.map(controls::containsKey).orElse(false))) {
            return refuse(writer, "Server is at capacity, try again later", peer);
        }
        Context context = vertx.getOrCreateContext();
        String instance = newId();
        Promise<Optional<Control>> opened = Promise.promise();
        sessions.open(requested, principal, instance, this::newId).onComplete(ar -> {
            if (Vertx.currentContext() == context) {
                opened.complete(start(ar, instance, principal, socket, writer, auth, peer));
            } else {
                context.runOnContext(v -> opened.complete(start(ar, instance, principal, socket, writer, auth, peer)));
            }
        });
        return opened.future();
    }

    /** The second half of {@link #open}, on the control connection's context. */
    private Optional<Control> start(AsyncResult<SessionGrant> grant, String instance, Principal principal,
            NetSocket socket, FrameWriter writer, Auth auth, String peer) {
        if (grant.failed()) {
            held.decrementAndGet();
            // A stock client quits on an AuthResp error: closed instead, it comes back later.
            LOG.warnf("control connection from %s closed: the session cannot be opened now (%s)", peer,
                    grant.cause() instanceof DirectoryUnavailable ? grant.cause().getMessage() : grant.cause().toString());
            socket.close();
            return Optional.empty();
        }
        Control control = new Control(grant.result(), instance, principal, socket, writer, vertx, this, opener, config);
        Control replaced = controls.put(control.id(), control);
        if (replaced != null) {
            replaced.shutdown("replaced by a new session with the same id");
        }
        writer.send(new AuthResp(VERSION, MM_VERSION, control.id(), ""));
        control.start();
        LOG.infof("control %s (%s) opened from %s, %s/%s%s", control.logId(), principal.name(), peer,
                PeerText.printable(auth.os()), PeerText.printable(auth.arch()),
                replaced != null ? ", replacing the previous session" : "");
        return Optional.of(control);
    }

    /**
     * Takes one of the {@code limits.controls} places for a session being opened, atomically,
     * so that concurrent logins cannot overshoot it; one replacing a live session of its id
     * may, for the moment until that one is gone.
     */
    private boolean reserveSlot(boolean replacing) {
        while (true) {
            int now = held.get();
            if (now >= config.limits().controls() && !replacing) {
                return false;
            }
            if (held.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    /**
     * Handles a {@code RegProxy} frame: parks the connection with its session, hands it on
     * (a session of another replica), or closes it (unknown session; with
     * {@code tunneld.security.proxy-same-address}, another source).
     */
    void registerProxy(String clientId, NetSocket proxy) {
        Control control = controls.get(clientId);
        if (control == null) {
            foreign.offer(clientId, proxy);
            return;
        }
        if (!proxyAllowed(control, proxy.remoteAddress())) {
            proxy.close();
            return;
        }
        control.offerProxy(new LocalProxy(proxy));
    }

    /**
     * Whether a proxy connection from {@code source} may serve {@code control}: always, unless
     * {@code tunneld.security.proxy-same-address} asks for its control connection's source
     * (address, or IPv6 /64); a refusal is logged and counted.
     */
    public boolean proxyAllowed(Control control, SocketAddress source) {
        if (!config.security().proxySameAddress()
                || SourceAddress.of(source).equals(SourceAddress.of(control.remoteAddress()))) {
            return true;
        }
        metrics.frameRejected("proxy-address");
        LOG.infof("proxy connection from %s for control %s closed: not from the control connection's address "
                + "(tunneld.security.proxy-same-address)", source, control.logId());
        return false;
    }

    /** The live session of this replica with that id, if any. */
    public Optional<Control> get(String clientId) {
        return Optional.ofNullable(controls.get(clientId));
    }

    /** All live sessions of this replica. */
    public Collection<Control> controls() {
        return List.copyOf(controls.values());
    }

    /**
     * Live sessions whose last Ping is overdue: older than the 1.x client's ping interval plus
     * grace, or than five sixths of the heartbeat timeout if that is shorter, so that a late
     * session shows before the sweep reaps it (25 s at the default 30 s heartbeat).
     */
    public long overdueHeartbeats() {
        Duration byHeartbeat = config.timeouts().heartbeat().multipliedBy(5).dividedBy(6);
        Duration overdue = byHeartbeat.compareTo(PING_INTERVAL_AND_GRACE) < 0 ? byHeartbeat : PING_INTERVAL_AND_GRACE;
        return controls.values().stream().filter(c -> c.sinceLastPing().compareTo(overdue) >= 0).count();
    }

    /**
     * Checks every session for a lost heartbeat and stale proxies. Not at start (nothing to
     * check then): a task that fires while a bad setting stops the start logs a stack trace.
     */
    @Scheduled(every = "${tunneld.timeouts.sweep-interval}", delayed = "${tunneld.timeouts.sweep-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() {
        for (Control control : controls.values()) {
            control.sweep(config.timeouts().heartbeat(), config.timeouts().proxyIdle());
        }
    }

    /** The server is stopping: no new session from now. */
    public void drain() {
        draining = true;
    }

    /**
     * Closes every session (and lets no new one in), logged once for all: the step of a
     * server stop after the drain (see {@code GracefulStop}).
     */
    public void stop() {
        draining = true;
        List<Control> live = List.copyOf(controls.values());
        if (!live.isEmpty()) {
            LOG.infof("closing %d client session(s): server stopping", live.size());
        }
        live.forEach(Control::stop);
    }


    /** A session was released (once each): its place is free, and its id's memory starts counting. */
    void remove(Control control) {
        controls.remove(control.id(), control);
        held.decrementAndGet();
        sessions.closed(control.id(), control.instance(), control.principal());
    }

    void rejected(String reason) {
        metrics.frameRejected(reason);
    }

    void heartbeatLost() {
        metrics.heartbeatLost();
    }

    /** The id the client asked to resume, if it is one and no live session here of another principal has it. */
    private Optional<String> resumableId(String requested, Principal principal) {
        if (requested.isEmpty() || !RESUMABLE_ID.matcher(requested).matches()) {
            return Optional.empty();
        }
        Control live = controls.get(requested);
        if (live != null && !live.principal().equals(principal)) {
            LOG.infof("a client of %s asked for a session id held by another principal; issuing a new id",
                    principal.name());
            return Optional.empty();
        }
        return Optional.of(requested);
    }

    private String newId() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private Future<Optional<Control>> refuse(FrameWriter writer, String error, String peer) {
        LOG.infof("control connection from %s refused: %s", peer, error);
        writer.send(AuthResp.refused(error));
        writer.end();
        return Future.succeededFuture(Optional.empty());
    }
}
