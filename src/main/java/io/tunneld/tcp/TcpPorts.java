package io.tunneld.tcp;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;

import io.tunneld.config.TunneldConfig;
import io.tunneld.listener.Listener;
import io.tunneld.listener.ServingLoops;
import io.tunneld.session.Control;
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
 * listener per tunnel, taking connections on every serving event loop (as the proxies that
 * serve them arrive on every loop). A port that was just released is bound again only once
 * its old listener has closed, so a reconnecting client gets its port back.
 */
@ApplicationScoped
public class TcpPorts {

    /** Random ports tried before giving up when the client did not name one. */
    private static final int RANDOM_ATTEMPTS = 32;

    private final TunneldConfig.Tcp config;
    private final TunnelRegistry registry;
    private final UrlAssigner urls;
    private final TcpIngress ingress;
    private final Vertx vertx;
    private final ServingLoops loops;
    private final Map<Integer, Listener> listening = new ConcurrentHashMap<>();
    private final Map<Integer, Future<Void>> closing = new ConcurrentHashMap<>();
    private final Set<Future<Tunnel>> binding = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;

    public TcpPorts(TunneldConfig config, TunnelRegistry registry, UrlAssigner urls, TcpIngress ingress, Vertx vertx,
            ServingLoops loops) {
        this.config = config.tcp();
        this.registry = registry;
        this.urls = urls;
        this.ingress = ingress;
        this.vertx = vertx;
        this.loops = loops;
    }

    /**
     * Opens a TCP tunnel on {@code requested}, or if 0 on one of {@code preferred} (ports
     * this client held before) when free, else on a free port of the range.
     */
    public Future<Tunnel> open(Control control, int requested, List<Integer> preferred) {
        if (requested != 0) {
            if (!inRange(requested)) {
                return Future.failedFuture(new TunnelException("Port " + requested + " is not allowed: TCP tunnels use ports "
                        + config.portMin() + "-" + config.portMax()));
            }
            return bind(control, requested, true);
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
        return firstBindable(control, candidates.iterator());
    }

    /** Closes the tunnel's listener and the connections it accepted. */
    public void release(int port) {
        Listener listener = listening.remove(port);
        if (listener != null) {
            Future<Void> closed = listener.stop();
            closing.put(port, closed);
            closed.onComplete(v -> closing.remove(port, closed));
        }
    }

    private Future<Tunnel> firstBindable(Control control, Iterator<Integer> candidates) {
        if (!candidates.hasNext()) {
            return Future.failedFuture(new TunnelException("No free TCP port left in " + config.portMin() + "-"
                    + config.portMax()));
        }
        return bind(control, candidates.next(), false).recover(e -> firstBindable(control, candidates));
    }

    /**
     * Stops every TCP tunnel port, once the binds under way are done, and completes when the
     * ports and their connections are closed: the last step of a server stop, after the
     * sessions, which release their ports. Nothing is bound from then on.
     */
    public Future<Void> stop() {
        stopping = true;
        return Future.join(List.copyOf(binding)).transform(v -> {
            listening.keySet().forEach(this::release);
            return Future.join(List.copyOf(closing.values()));
        }).mapEmpty();
    }

    private Future<Tunnel> bind(Control control, int port, boolean strict) {
        // Known as under way before the stop is looked at: a stop waits for it, or it sees the stop.
        Promise<Tunnel> bound = Promise.promise();
        binding.add(bound.future());
        bound.future().onComplete(ar -> binding.remove(bound.future()));
        if (stopping) {
            bound.fail(new TunnelException("Server is shutting down"));
            return bound.future();
        }
        Tunnel tunnel = Tunnel.tcp(urls.tcpUrl(port), urls.domain(), port, control);
        if (!registry.register(tunnel)) {
            bound.fail(TunnelException.alreadyRegistered(tunnel.url()));
            return bound.future();
        }
        Listener listener = new Listener("tcp " + port, new NetServerOptions().setHost(config.host()).setPort(port),
                socket -> ingress.accept(socket, tunnel));
        Future<Void> previous = closing.getOrDefault(port, Future.succeededFuture());
        previous.transform(v -> listener.start(vertx, loops.contexts())).<Tunnel>map(v -> {
            listening.put(port, listener);
            return tunnel;
        }).recover(e -> {
            registry.unregister(tunnel);
            return Future.failedFuture(strict
                    ? new TunnelException("Port " + port + " is not available on this server")
                    : e);
        }).onComplete(bound);
        return bound.future();
    }

    private boolean inRange(int port) {
        return port >= config.portMin() && port <= config.portMax();
    }
}
