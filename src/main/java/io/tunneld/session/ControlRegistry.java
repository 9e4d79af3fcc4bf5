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
import io.tunneld.tunnel.TunnelOpener;
import io.tunneld.tunnel.UrlAffinity;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;

/**
 * Live client sessions by ClientId. Authenticates new sessions, hands out ids, lets a client
 * resume its id (and so its URLs) only with the same token, and reaps sessions whose
 * heartbeat stopped.
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
    /** Entries of {@link #controls}, counted as they are made, so that the limit is kept atomically. */
    private final AtomicInteger sessions = new AtomicInteger();
    private volatile boolean stopping;
    private final SecureRandom random = new SecureRandom();
    private final TunneldConfig config;
    private final ClientAuthenticator authenticator;
    private final AuthThrottle throttle;
    private final TunnelOpener opener;
    private final UrlAffinity affinity;
    private final TunnelMetrics metrics;
    private final Vertx vertx;

    public ControlRegistry(TunneldConfig config, ClientAuthenticator authenticator, AuthThrottle throttle,
            TunnelOpener opener, UrlAffinity affinity, TunnelMetrics metrics, Vertx vertx) {
        this.config = config;
        this.authenticator = authenticator;
        this.throttle = throttle;
        this.opener = opener;
        this.affinity = affinity;
        this.metrics = metrics;
        this.vertx = vertx;
        Gauge.builder("tunneld.controls", controls, Map::size).strongReference(true)
                .description("Live client sessions").register(metrics.registry());
    }

    /**
     * Handles an {@code Auth} frame, on the control connection's context: answers AuthResp
     * (and the first ReqProxy) and returns the new session, or refuses and returns empty.
     */
    Optional<Control> open(NetSocket socket, FrameWriter writer, Auth auth) {
        String peer = String.valueOf(socket.remoteAddress());
        if (stopping) {
            return refuse(writer, "Server is shutting down, try again later", peer);
        }
        if (!VERSION.equals(auth.version())) {
            return refuse(writer, "Incompatible versions. Server " + MM_VERSION + ", client "
                    + PeerText.printable(auth.version()) + ".", peer);
        }
        Optional<Principal> principal = authenticator.authenticate(auth.user());
        if (principal.isEmpty()) {
            metrics.authFailure();
            boolean penalised = throttle.failed(socket.remoteAddress(), auth.clientId());
            return refuse(writer, "Authentication failed: invalid auth token"
                    + (penalised ? "; too many failures, so answers are now delayed" : ""), peer);
        }
        String id = resumableId(auth.clientId(), principal.get()).orElseGet(this::newId);
        Control control = new Control(id, principal.get(), socket, writer, vertx, this, opener, config);
        Claim claim = claim(control);
        if (claim.outcome() == Claim.Outcome.TAKEN) {
            // Another principal won a race for this id: start afresh under a new one.
            control = new Control(newId(), principal.get(), socket, writer, vertx, this, opener, config);
            claim = claim(control);
        }
        if (claim.outcome() == Claim.Outcome.FULL) {
            return refuse(writer, "Server is at capacity, try again later", peer);
        }
        Control replaced = claim.replaced();
        if (replaced != null) {
            replaced.shutdown("replaced by a new session with the same id");
        }
        writer.send(new AuthResp(VERSION, MM_VERSION, control.id(), ""));
        control.start();
        LOG.infof("control %s (%s) opened from %s, %s/%s%s", control.logId(), control.principal().name(), peer,
                PeerText.printable(auth.os()), PeerText.printable(auth.arch()),
                replaced != null ? ", replacing the previous session" : "");
        return Optional.of(control);
    }

    /**
     * Handles a {@code RegProxy} frame: parks the connection with its session, or closes it
     * (unknown session; with {@code tunneld.security.proxy-same-address}, another source).
     */
    void registerProxy(String clientId, NetSocket proxy) {
        Control control = controls.get(clientId);
        if (control == null) {
            LOG.debugf("proxy connection from %s for an unknown session closed", proxy.remoteAddress());
            proxy.close();
            return;
        }
        if (config.security().proxySameAddress()
                && !SourceAddress.of(proxy.remoteAddress()).equals(SourceAddress.of(control.remoteAddress()))) {
            metrics.frameRejected("proxy-address");
            LOG.infof("proxy connection from %s for control %s closed: not from the control connection's address "
                    + "(tunneld.security.proxy-same-address)", proxy.remoteAddress(), control.logId());
            proxy.close();
            return;
        }
        control.offerProxy(proxy);
    }

    /** All live sessions. */
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

    /** Checks every session for a lost heartbeat and stale proxies; forgets expired affinities. */
    @Scheduled(every = "${tunneld.timeouts.sweep-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() {
        for (Control control : controls.values()) {
            control.sweep(config.timeouts().heartbeat(), config.timeouts().proxyIdle());
        }
        affinity.expire();
    }

    /**
     * Closes every session and lets no new one in: the first step of a server stop (see
     * {@code Listeners}), logged once for all sessions.
     */
    public void stop() {
        stopping = true;
        List<Control> live = List.copyOf(controls.values());
        if (!live.isEmpty()) {
            LOG.infof("closing %d client sessions: server shutting down", live.size());
        }
        live.forEach(Control::stop);
    }

    void remove(Control control) {
        controls.computeIfPresent(control.id(), (id, existing) -> {
            if (existing != control) {
                return existing;
            }
            affinity.release(id);
            sessions.decrementAndGet();
            return null;
        });
    }

    void rejected(String reason) {
        metrics.frameRejected(reason);
    }

    void heartbeatLost() {
        metrics.heartbeatLost();
    }

    /**
     * What became of a session put in: placed (replacing {@code replaced}, a session of the
     * same principal, if not null), or not, because another principal holds the id or the server
     * is full.
     */
    private record Claim(Outcome outcome, Control replaced) {
        enum Outcome { PLACED, TAKEN, FULL }
    }

    /**
     * Puts the session in, within {@code tunneld.limits.controls}: a new id takes a place, one
     * resumed replaces its session. Place and entry are taken in one atomic step, so logins
     * at once on several event loops cannot overshoot the limit. The URL affinity learns of
     * sessions starting and ending in the same step, so an id's memory is live exactly while
     * a session holds the id.
     */
    private Claim claim(Control control) {
        Claim.Outcome[] outcome = { Claim.Outcome.PLACED };
        Control[] replaced = new Control[1];
        controls.compute(control.id(), (id, existing) -> {
            if (existing != null && !existing.principal().equals(control.principal())) {
                outcome[0] = Claim.Outcome.TAKEN;
                return existing;
            }
            if (existing == null && !takePlace()) {
                outcome[0] = Claim.Outcome.FULL;
                return null;
            }
            replaced[0] = existing;
            affinity.claim(id, control.principal());
            return control;
        });
        return new Claim(outcome[0], replaced[0]);
    }

    /** Takes one place for a new session if the server has one free. */
    private boolean takePlace() {
        int limit = config.limits().controls();
        return sessions.getAndUpdate(n -> n < limit ? n + 1 : n) < limit;
    }

    /** The id the client asked to resume, if it may have it. */
    private Optional<String> resumableId(String requested, Principal principal) {
        if (requested.isEmpty() || !RESUMABLE_ID.matcher(requested).matches()) {
            return Optional.empty();
        }
        Control live = controls.get(requested);
        Principal owner = live != null ? live.principal() : affinity.owner(requested).orElse(null);
        if (owner != null && !owner.equals(principal)) {
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

    private Optional<Control> refuse(FrameWriter writer, String error, String peer) {
        LOG.infof("control connection from %s refused: %s", peer, error);
        writer.send(AuthResp.refused(error));
        writer.end();
        return Optional.empty();
    }
}
