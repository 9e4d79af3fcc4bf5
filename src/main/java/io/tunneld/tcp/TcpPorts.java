package io.tunneld.tcp;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
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
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServerOptions;

/**
 * TCP tunnel ports: only from the configured range, bound on the configured address, one
 * listener per tunnel, taking connections on every serving event loop (as the proxies that
 * serve them arrive on every loop). In a cluster every replica listens on every granted
 * port, for whichever replica holds the session. A port is bound again only once its old
 * listener has closed, so a reconnecting client gets its port back.
 */
@ApplicationScoped
public class TcpPorts {

    private static final Logger LOG = Logger.getLogger(TcpPorts.class);
    /** Random ports tried before giving up when the client did not name one. */
    private static final int RANDOM_ATTEMPTS = 32;

    /** A listener and the tunnel it serves. */
    private record Serving(Listener listener, Tunnel tunnel) {
    }

    private final TunneldConfig.Tcp config;
    private final TunnelRegistry registry;
    private final RouteClaims claims;
    private final UrlAssigner urls;
    private final TcpIngress ingress;
    private final Vertx vertx;
    private final ServingLoops loops;
    private final Map<Integer, Serving> listening = new ConcurrentHashMap<>();
    private final Map<Integer, Future<Void>> closing = new ConcurrentHashMap<>();

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

    /** Frees one of this replica's TCP tunnels: its claim and its listener. */
    public void close(Claimant claimant, Tunnel tunnel) {
        claims.release(claimant, List.of(tunnel));
        stop(tunnel);
    }

    /** Listens for another replica's TCP tunnel, whose session serves its connections. */
    public void mirror(Tunnel tunnel) {
        serve(tunnel).onFailure(e -> LOG.warnf("%s of another replica cannot be served here: port %d: %s",
                tunnel.url(), tunnel.port(), e.getMessage()));
    }

    /** Stops listening for {@code tunnel}, if its port still serves it; connections already accepted carry on. */
    public void stop(Tunnel tunnel) {
        Serving serving = listening.get(tunnel.port());
        if (serving != null && serving.tunnel() == tunnel && listening.remove(tunnel.port(), serving)) {
            Future<Void> closed = serving.listener().stop();
            closing.put(tunnel.port(), closed);
            closed.onComplete(v -> closing.remove(tunnel.port(), closed));
        }
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
        Tunnel tunnel = Tunnel.tcp(urls.tcpUrl(port), urls.domain(), port, source);
        return claims.claim(claimant, List.of(tunnel)).compose(v -> serve(tunnel).<Tunnel>map(bound -> tunnel)
                .recover(e -> {
                    claims.release(claimant, List.of(tunnel));
                    return Future.failedFuture(strict
                            ? new TunnelException("Port " + port + " is not available on this server")
                            : new TunnelException(e.getMessage()));
                }));
    }

    /**
     * Listens on the tunnel's port for it, in place of whatever listened there (another
     * replica's tunnel, when its session moved here, or the reverse): the old listener is
     * closed first, or Vert.x would share the port between the two.
     */
    private Future<Void> serve(Tunnel tunnel) {
        int port = tunnel.port();
        Serving previous = listening.remove(port);
        if (previous != null) {
            Future<Void> closed = previous.listener().stop();
            closing.put(port, closed);
            closed.onComplete(v -> closing.remove(port, closed));
        }
        Listener listener = new Listener("tcp " + port, new NetServerOptions().setHost(config.host()).setPort(port),
                socket -> ingress.accept(socket, tunnel));
        Serving serving = new Serving(listener, tunnel);
        Future<Void> before = closing.getOrDefault(port, Future.succeededFuture());
        return before.transform(v -> listener.start(vertx, loops.contexts())).onSuccess(v -> {
            if (listening.putIfAbsent(port, serving) != null) {
                // Something else took the port meanwhile: this one is no longer wanted.
                listener.stop();
            }
        });
    }

    private boolean inRange(int port) {
        return port >= config.portMin() && port <= config.portMax();
    }
}
