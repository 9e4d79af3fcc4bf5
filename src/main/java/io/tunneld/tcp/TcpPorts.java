package io.tunneld.tcp;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.tunneld.config.TunneldConfig;
import io.tunneld.listener.Listener;
import io.tunneld.listener.ServingLoops;
import io.tunneld.tunnel.Claimant;
import io.tunneld.tunnel.ProxySource;
import io.tunneld.tunnel.RouteClaims;
import io.tunneld.tunnel.Tunnel;
import io.tunneld.tunnel.TunnelException;
import io.tunneld.tunnel.TunnelRegistry;
import io.tunneld.tunnel.UrlAssigner;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServerOptions;

/**
 * TCP tunnel ports: only from the configured range, bound on the configured address, one
 * listener per port, taking connections on every serving event loop (as the proxies that
 * serve them arrive on every loop). A port's listener serves whichever tunnel holds the port
 * when a connection arrives: in a cluster every replica listens on every granted port, and a
 * session moving between replicas changes the port's tunnel, not its listener, so
 * connections already joined carry on. A port is bound again only once its old listener has
 * closed, so a reconnecting client gets its port back.
 */
@ApplicationScoped
public class TcpPorts {

    private static final Logger LOG = Logger.getLogger(TcpPorts.class);
    /** Random ports tried before giving up when the client did not name one. */
    private static final int RANDOM_ATTEMPTS = 32;

    private final TunneldConfig.Tcp config;
    private final TunnelRegistry registry;
    private final RouteClaims claims;
    private final UrlAssigner urls;
    private final TcpIngress ingress;
    private final Vertx vertx;
    private final ServingLoops loops;
    private final Map<Integer, Future<Listener>> listening = new ConcurrentHashMap<>();
    private final Map<Integer, Future<Void>> closing = new ConcurrentHashMap<>();
    private final Set<Future<Listener>> binding = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;

    public TcpPorts(TunneldConfig config, TunnelRegistry registry, RouteClaims claims, UrlAssigner urls,
            TcpIngress ingress, Vertx vertx, ServingLoops loops) {
        this.config = config.tcp();
        this.registry = registry;
        this.claims = claims;
        this.urls = urls;
        this.ingress = ingress;
        this.vertx = vertx;
        this.loops = loops;
    }

    /**
     * Opens a TCP tunnel for {@code claimant}, served by {@code source}, on {@code requested},
     * or if 0 on one of {@code preferred} (ports this client held before, newest last) when
     * free, else on a free port of the range.
     */
    public Future<Tunnel> open(Claimant claimant, ProxySource source, int requested, List<Integer> preferred) {
        if (requested != 0) {
            if (!inRange(requested)) {
                return Future.failedFuture(new TunnelException("Port " + requested + " is not allowed: TCP tunnels use ports "
                        + config.portMin() + "-" + config.portMax()));
            }
            return bind(claimant, source, requested, true);
        }
        List<Integer> candidates = new ArrayList<>();
        for (int i = preferred.size() - 1; i >= 0; i--) {
            if (inRange(preferred.get(i))) {
                candidates.add(preferred.get(i));
            }
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < RANDOM_ATTEMPTS; i++) {
            candidates.add(random.nextInt(config.portMin(), config.portMax() + 1));
        }
        return firstBindable(claimant, source, candidates.iterator());
    }

    /** Frees one of this replica's TCP tunnels: its claim, and its port's listener unless another tunnel has the port. */
    public void close(Claimant claimant, Tunnel tunnel) {
        claims.release(claimant, List.of(tunnel));
        releaseIfUnused(tunnel.port());
    }

    /** Listens for another replica's TCP tunnel (in the registry already), whose session serves its connections. */
    public void mirror(Tunnel tunnel) {
        listen(tunnel.port()).onFailure(e -> LOG.warnf("%s of another replica cannot be served here: port %d: %s",
                tunnel.url(), tunnel.port(), e.getMessage()));
    }

    /**
     * Closes the listener of {@code port}, and the connections it accepted, if no tunnel (here
     * or elsewhere) holds the port any more.
     */
    public synchronized void releaseIfUnused(int port) {
        if (registry.lookup(Tunnel.tcpRouteKey(port)) != null) {
            return;
        }
        Future<Listener> listener = listening.remove(port);
        if (listener != null) {
            Future<Void> closed = listener.transform(ar -> ar.succeeded() ? ar.result().stop() : Future.succeededFuture());
            closing.put(port, closed);
            closed.onComplete(v -> closing.remove(port, closed));
        }
    }

    /** Closes every new connection to a TCP tunnel port from now; those accepted carry on. */
    public void refuseNew() {
        listening.values().forEach(listener -> listener.onSuccess(Listener::refuseNew));
    }

    /** Connections to TCP tunnel ports accepted and not closed yet. */
    public int open() {
        return listening.values().stream().filter(Future::succeeded).mapToInt(l -> l.result().open()).sum();
    }

    /**
     * Stops every TCP tunnel port, once the binds under way are done, and completes when the
     * ports and their connections are closed: the last step of a server stop, after the
     * sessions, which release their ports. Nothing is bound from then on.
     */
    public Future<Void> stop() {
        stopping = true;
        return Future.join(List.copyOf(binding)).transform(v -> {
            synchronized (this) {
                listening.forEach((port, listener) -> {
                    Future<Void> closed = listener.transform(ar -> ar.succeeded() ? ar.result().stop()
                            : Future.succeededFuture());
                    closing.put(port, closed);
                });
                listening.clear();
            }
            return Future.join(List.copyOf(closing.values()));
        }).mapEmpty();
    }

    private Future<Tunnel> firstBindable(Claimant claimant, ProxySource source, Iterator<Integer> candidates) {
        while (candidates.hasNext()) {
            int port = candidates.next();
            if (!registry.heldByOther(Tunnel.tcpRouteKey(port), claimant.clientId())) {
                return bind(claimant, source, port, false).recover(e -> e instanceof TunnelException
                        ? firstBindable(claimant, source, candidates) : Future.failedFuture(e));
            }
        }
        return Future.failedFuture(new TunnelException("No free TCP port left in " + config.portMin() + "-"
                + config.portMax()));
    }

    private Future<Tunnel> bind(Claimant claimant, ProxySource source, int port, boolean strict) {
        if (stopping) {
            return Future.failedFuture(new TunnelException("Server is shutting down"));
        }
        Tunnel tunnel = Tunnel.tcp(urls.tcpUrl(port), urls.domain(), port, source);
        return claims.claim(claimant, List.of(tunnel)).compose(v -> listen(port).<Tunnel>map(bound -> tunnel)
                .recover(e -> {
                    claims.release(claimant, List.of(tunnel));
                    releaseIfUnused(port);
                    return Future.failedFuture(strict
                            ? new TunnelException("Port " + port + " is not available on this server")
                            : new TunnelException(e.getMessage()));
                }));
    }

    /**
     * The port's listener, bound now if it is not yet: its connections go to the tunnel the
     * port has when each arrives (closed if none has it any more).
     */
    private synchronized Future<Listener> listen(int port) {
        Future<Listener> existing = listening.get(port);
        if (existing != null) {
            return existing;
        }
        if (stopping) {
            return Future.failedFuture("server is shutting down");
        }
        String key = Tunnel.tcpRouteKey(port);
        Listener listener = new Listener("tcp " + port, new NetServerOptions().setHost(config.host()).setPort(port),
                socket -> {
                    Tunnel tunnel = registry.lookup(key);
                    if (tunnel == null) {
                        socket.close();
                    } else {
                        ingress.accept(socket, tunnel);
                    }
                });
        Promise<Listener> bound = Promise.promise();
        binding.add(bound.future());
        bound.future().onComplete(ar -> binding.remove(bound.future()));
        Future<Void> before = closing.getOrDefault(port, Future.succeededFuture());
        before.transform(v -> listener.start(vertx, loops.contexts())).<Listener>map(v -> listener).onComplete(bound);
        listening.put(port, bound.future());
        // A failed bind is forgotten, so that a later attempt tries again.
        bound.future().onFailure(e -> listening.remove(port, bound.future()));
        return bound.future();
    }

    private boolean inRange(int port) {
        return port >= config.portMin() && port <= config.portMax();
    }
}
