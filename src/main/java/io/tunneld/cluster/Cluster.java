package io.tunneld.cluster;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.interceptor.Interceptor;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.tunneld.config.TunneldConfig;
import io.tunneld.listener.Listener;
import io.tunneld.listener.ServingLoops;
import io.tunneld.proxy.ProxyJoin;
import io.tunneld.session.Control;
import io.tunneld.session.ControlRegistry;
import io.tunneld.tcp.TcpPorts;
import io.tunneld.tls.PeerTls;
import io.tunneld.tls.SelfSignedCertificate;
import io.tunneld.tls.ServerTls;
import io.tunneld.tunnel.BasicAuthKey;
import io.tunneld.tunnel.Protocol;
import io.tunneld.tunnel.Tunnel;
import io.tunneld.tunnel.TunnelRegistry;
import io.tunneld.tunnel.UrlAssigner;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.redis.client.Redis;

/**
 * This replica as a member of a cluster, when {@code tunneld.cluster.redis-url} is set: its
 * lease in the directory, its view of the other replicas' sessions and routes (which it
 * serves too: their HTTP hosts, their TCP ports), the forward port other replicas reach it
 * on, and putting its state back when Redis lost it. With no Redis configured it does nothing.
 */
@ApplicationScoped
public class Cluster {

    private static final Logger LOG = Logger.getLogger(Cluster.class);
    /** Lease renewals between two whole reads of the directory (the safety net under announcements). */
    private static final int TICKS_PER_RESYNC = 6;

    private final TunneldConfig config;
    private final Vertx vertx;
    private final ServingLoops loops;
    private final ControlRegistry controls;
    private final TunnelRegistry registry;
    private final TcpPorts tcpPorts;
    private final BasicAuthKey authKey;
    private final UrlAssigner urls;
    private final MeterRegistry meters;
    private final ProxyJoin join;
    private final Instance<Redis> redis;
    private final ServerTls tls;
    private final boolean enabled;
    private final String replica;
    /** Other replicas' tunnels this replica serves, by route. */
    private final Map<String, Tunnel> mirrored = new ConcurrentHashMap<>();

    private ClusterMetrics metrics;
    private RedisDirectory directory;
    private DirectoryEvents events;
    private ClusterView view;
    private ProxyBroker broker;
    private PeerLinks links;
    private Listener forward;
    private String address;
    private long ticker;
    private int ticks;
    private volatile boolean leaving;
    private volatile boolean loaded;
    private volatile String redisTrouble;
    private volatile Instant troubleSince;

    public Cluster(TunneldConfig config, Vertx vertx, ServingLoops loops, ControlRegistry controls,
            TunnelRegistry registry, TcpPorts tcpPorts, BasicAuthKey authKey, UrlAssigner urls, MeterRegistry meters,
            ProxyJoin join, Instance<Redis> redis, ServerTls tls) {
        this.config = config;
        this.tls = tls;
        this.vertx = vertx;
        this.loops = loops;
        this.controls = controls;
        this.registry = registry;
        this.tcpPorts = tcpPorts;
        this.authKey = authKey;
        this.urls = urls;
        this.meters = meters;
        this.join = join;
        this.redis = redis;
        this.enabled = config.cluster().redisUrl().isPresent();
        this.replica = enabled ? replicaId() : "";
    }

    /** Options for connections to other replicas' forward ports: TLS unless tunneld.cluster.forward-tls is off. */
    private static NetClientOptions dialing(PeerTls peerTls) {
        NetClientOptions options = new NetClientOptions().setTcpNoDelay(true);
        return peerTls == null ? options : peerTls.client(options);
    }

    /** Whether this replica is part of a cluster (a Redis is configured). */
    public boolean enabled() {
        return enabled;
    }

    /** This replica's id: its host name and a random suffix. */
    public String replica() {
        return replica;
    }

    /** Whether this replica is stopping: its sessions' names wait for takeover elsewhere. */
    public boolean leaving() {
        return leaving;
    }

    RedisDirectory directory() {
        return directory;
    }

    ClusterView view() {
        return view;
    }

    ProxyBroker broker() {
        return broker;
    }

    /** Starts before the listeners, so that no client is served before the view is loaded. */
    void onStart(@Observes @Priority(Interceptor.Priority.APPLICATION) StartupEvent event) throws Exception {
        if (!enabled) {
            return;
        }
        ClusterSecret secret = new ClusterSecret(config.cluster().secret().orElseThrow(() ->
                new ConfigurationException("tunneld.cluster.secret is required with tunneld.cluster.redis-url")));
        String host = config.cluster().advertiseHost().orElseGet(Cluster::localAddress);
        metrics = new ClusterMetrics(meters);
        String prefix = "{" + config.cluster().keyPrefix() + "}";
        Redis client = redis.get();
        directory = new RedisDirectory(vertx, client, prefix, replica, config.cluster().redisTimeout(), metrics.redis());
        view = new ClusterView(replica, new Changes());
        PeerTls peerTls = null;
        if (config.cluster().forwardTls()) {
            SelfSignedCertificate own = ReplicaCertificate.issue(secret);
            ReplicaTrust trust = new ReplicaTrust(secret);
            metrics.fullHandshakes(trust);
            peerTls = tls.peers(own.certificate(), own.privateKey(), trust);
        }
        links = new PeerLinks(vertx, vertx.createNetClient(dialing(peerTls)), replica, secret, id -> view.address(id));
        HostedProxies hosted = new HostedProxies(vertx, (owner, clientId, handle) -> broker.hostedGone(owner, clientId, handle));
        ClaimDialer dialer = new ClaimDialer(vertx, vertx.createNetClient(dialing(peerTls)), replica,
                config.timeouts().proxyWait().toMillis());
        broker = new ProxyBroker(vertx, replica, controls, links, hosted, dialer, view, metrics, join,
                config.timeouts().proxyWait());
        ForwardPort port = new ForwardPort(vertx, secret, config.timeouts().firstFrame(), broker::onMessage,
                broker::claimed);
        NetServerOptions accepting = new NetServerOptions().setHost(host).setPort(config.cluster().forwardPort())
                .setTcpNoDelay(true);
        forward = new Listener("forward", peerTls == null ? accepting : peerTls.server(accepting), port);
        // Startup runs on the main thread, never an event loop: waiting here is fine. A replica
        // others cannot forward to is no replica: this stops the start whatever tunneld.fail-fast says.
        try {
            forward.start(vertx, loops.contexts()).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new ConfigurationException("forward listener cannot start on " + host + ":"
                    + forward.configuredPort() + ": " + forward.failure());
        }
        address = host + ":" + forward.port();
        // A new subscription follows a lost connection: Redis may have restarted empty, so the
        // lease is renewed (and this replica's state put back) at once, then the directory read.
        events = new DirectoryEvents(vertx, client, directory.channel(), this::onEvent, () -> {
            view.resubscribed();
            renew().onComplete(ar -> resync());
        });
        registry.lookElsewhere(this::lookupMissed);
        events.start();
        try {
            renew().compose(v -> resyncNow()).toCompletionStage().toCompletableFuture()
                    .get(2 * config.cluster().redisTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.errorf("cluster: Redis is unreachable at start (%s); retrying, and no session opens meanwhile",
                    e.getMessage());
        }
        long every = Math.max(250, config.cluster().lease().toMillis() / 4);
        ticker = vertx.setPeriodic(every, t -> tick());
        // The URL's password, if any, is not logged.
        LOG.infof("cluster: replica %s, forward port %s (%s), Redis %s", replica, address,
                peerTls != null ? "TLS" : "no TLS: tunneld.cluster.forward-tls=false",
                config.cluster().redisUrl().get().replaceAll("//[^@/]*@", "//***@"));
    }

    /** Whether this replica has held a lease and read the directory once. */
    public boolean started() {
        return loaded;
    }

    /** Why Redis is in trouble and since when, or null when it answers. */
    public String trouble() {
        return redisTrouble == null ? null : redisTrouble + " (since " + troubleSince + ")";
    }

    /** Replicas alive (id to forward address), this one included. */
    public Map<String, String> members() {
        return view.members();
    }

    /** Sessions in the whole cluster. */
    public int sessionCount() {
        return view.sessionCount();
    }

    /** Routes (HTTP(S) hosts and TCP ports) in the whole cluster. */
    public int routeCount() {
        return view.routeCount();
    }

    private void tick() {
        renew().onComplete(ar -> {
            directory.reap(config.timeouts().urlAffinity()).onSuccess(n -> {
                if (n > 0) {
                    LOG.infof("cluster: %d replica(s) stopped renewing their lease; their names are free", n);
                }
            });
            if (++ticks % TICKS_PER_RESYNC == 0) {
                resync();
            }
        });
    }

    /** Renews the lease; when Redis had lost it (expired, or Redis restarted empty), puts this replica's state back. */
    private Future<Void> renew() {
        return directory.renew(address, config.cluster().lease()).transform(ar -> {
            if (ar.failed()) {
                metrics.renewalFailed();
                troubled(ar.cause().getMessage());
                return Future.failedFuture(ar.cause());
            }
            if (redisTrouble != null) {
                LOG.infof("cluster: Redis answers again");
                redisTrouble = null;
            }
            return ar.result() ? Future.succeededFuture() : restore();
        });
    }

    private void troubled(String why) {
        if (redisTrouble == null) {
            troubleSince = Instant.now();
            LOG.errorf("cluster: Redis unreachable (%s): tunnels that exist keep serving; new sessions and tunnels "
                    + "wait until it answers", why);
        }
        redisTrouble = why;
    }

    /**
     * Puts this replica's sessions and routes back into a directory that lost them. A route
     * taken meanwhile by another session (possible only if this replica was cut off for longer
     * than its lease) closes the session that had it here; its client reconnects.
     */
    private Future<Void> restore() {
        List<Control> live = List.copyOf(controls.controls());
        if (!live.isEmpty()) {
            LOG.warnf("cluster: the directory had lost this replica; putting back %d session(s)", live.size());
        }
        Future<Void> all = Future.succeededFuture();
        for (Control control : live) {
            all = all.compose(v -> restore(control).recover(e -> Future.succeededFuture()));
        }
        return all;
    }

    private Future<Void> restore(Control control) {
        String principal = control.principal().name();
        return directory.openSession(control.id(), principal, control.instance()).compose(claim -> {
            if (!claim.granted()) {
                control.shutdown("its id is another principal's now");
                return Future.succeededFuture();
            }
            List<Tunnel> tunnels = control.tunnels();
            control.randomHosts().forEach(host -> directory.rememberHost(control.id(), principal, host));
            Map<String, RouteEntry> entries = new java.util.LinkedHashMap<>();
            for (Tunnel t : tunnels) {
                entries.put(t.routeKey(), new RouteEntry(replica, control.id(), control.instance(), principal, t.url(),
                        t.auth() == null ? "" : t.auth().verifier()));
                if (t.protocol() == Protocol.TCP) {
                    directory.rememberPort(control.id(), principal, t.port());
                }
            }
            if (entries.isEmpty()) {
                return Future.succeededFuture();
            }
            return directory.claimRoutes(control.instance(), control.id(), principal, entries).map(result -> {
                if (result != 0) {
                    control.shutdown("its names were taken while Redis was away");
                }
                return null;
            });
        });
    }

    /** Reads the whole directory again, after a (re)subscription and now and then. */
    private void resync() {
        resyncNow().onFailure(e -> LOG.debugf("cluster: directory not read: %s", e.getMessage()));
    }

    private Future<Void> resyncNow() {
        return directory.snapshot().map(snapshot -> {
            view.reset(snapshot);
            loaded = true;
            return null;
        });
    }

    /** A route asked for here but unknown: opened elsewhere a moment ago, or nowhere. */
    private Future<Tunnel> lookupMissed(String key) {
        return directory.route(key).map(entry -> {
            if (entry.isEmpty() || entry.get().replica().equals(replica)) {
                return null;
            }
            view.learned(key, entry.get());
            return registry.lookup(key);
        });
    }

    private void onEvent(DirectoryEvent event) {
        try {
            view.apply(event);
        } catch (RuntimeException e) {
            LOG.warnf("cluster: an announcement could not be applied (%s); reading the directory again", e.getMessage());
            resync();
        }
    }

    /** What the view's changes mean here. */
    private final class Changes implements ClusterView.Changes {

        @Override
        public void routeAdded(String key, RouteEntry entry) {
            Tunnel tunnel = remoteTunnel(key, entry);
            mirrored.put(key, tunnel);
            registry.putRemote(tunnel);
            if (tunnel.protocol() == Protocol.TCP) {
                tcpPorts.mirror(tunnel);
            }
        }

        @Override
        public void routeRemoved(String key, RouteEntry entry) {
            Tunnel tunnel = mirrored.remove(key);
            if (tunnel != null) {
                registry.removeRemote(tunnel);
                if (tunnel.protocol() == Protocol.TCP) {
                    tcpPorts.releaseIfUnused(tunnel.port());
                }
            }
        }

        @Override
        public void sessionHeld(String clientId, String holder) {
            if (!holder.equals(replica)) {
                controls.get(clientId).ifPresent(c -> c.shutdown("taken over on replica " + holder));
            }
            broker.sessionMoved(clientId, holder);
        }

        @Override
        public void sessionEnded(String clientId, String holder) {
            broker.sessionEnded(clientId, holder);
        }

        @Override
        public void memberLeft(String id) {
            if (!id.equals(replica)) {
                broker.memberLeft(id);
            }
        }
    }

    private Tunnel remoteTunnel(String key, RouteEntry entry) {
        RemoteSession source = new RemoteSession(entry.replica(), entry.clientId(), broker);
        if (key.startsWith("tcp:")) {
            return Tunnel.tcp(entry.url(), urls.domain(), Integer.parseInt(key.substring(4)), source);
        }
        int scheme = key.indexOf("://");
        Protocol protocol = Protocol.of(key.substring(0, scheme)).orElseThrow();
        return Tunnel.http(protocol, entry.url(), key.substring(scheme + 3),
                entry.auth().isEmpty() ? null : authKey.fromVerifier(entry.auth()), source);
    }

    private static String replicaId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "tunneld";
        }
        String name = host.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
        String suffix = Integer.toHexString(new java.security.SecureRandom().nextInt(0x10000) | 0x10000).substring(1);
        return (name.length() > 40 ? name.substring(0, 40) : name) + "-" + suffix;
    }

    private static String localAddress() {
        try {
            return InetAddress.getLocalHost().getHostAddress();
        } catch (UnknownHostException e) {
            throw new ConfigurationException("tunneld.cluster.advertise-host is not set and this host's address "
                    + "cannot be found: " + e.getMessage());
        }
    }

    /**
     * Stopping, first step: no new connection from other replicas (those joined carry on),
     * and from now the sessions closed here leave their names and memory in the directory,
     * for their clients to take over on another replica.
     */
    public void prepareLeave() {
        leaving = true;
        if (enabled) {
            forward.refuseNew();
        }
    }

    /**
     * Stopping, last step: waits up to {@code within} until the sessions {@code closed} here
     * are held by other replicas (their clients reconnected there), then gives the lease up,
     * so that whatever was not taken over is freed at once, and stops talking to the others.
     * Blocks: call it from the shutdown thread, never an event loop.
     */
    public void leave(Set<String> closed, Duration within) throws InterruptedException {
        if (!enabled) {
            return;
        }
        long end = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < end && closed.stream().anyMatch(id -> view.sessionReplica(id)
                .filter(replica::equals).isPresent())) {
            Thread.sleep(50);
        }
        long left = closed.stream().filter(id -> view.sessionReplica(id).filter(replica::equals).isPresent()).count();
        vertx.cancelTimer(ticker);
        events.stop();
        try {
            directory.leave(config.timeouts().urlAffinity()).toCompletionStage().toCompletableFuture()
                    .get(config.cluster().redisTimeout().toMillis() + 500, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warnf("cluster: could not leave the directory (%s); the lease will lapse", e.getMessage());
        }
        links.closeAll();
        forward.stop();
        LOG.infof("cluster: replica %s left; %d of %d session(s) taken over elsewhere", replica,
                closed.size() - left, closed.size());
    }
}
