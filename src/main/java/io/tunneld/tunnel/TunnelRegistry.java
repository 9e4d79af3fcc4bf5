package io.tunneld.tunnel;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;

/**
 * Where public connections find their tunnel: every route (HTTP(S) host without port, TCP
 * port) this replica serves, its own sessions' tunnels and, in a cluster, those of the other
 * replicas' sessions. A route has one tunnel at a time; public connections never ask anyone
 * else. The gauges count this replica's own tunnels.
 */
@ApplicationScoped
public class TunnelRegistry {

    private final Map<String, Tunnel> local = new ConcurrentHashMap<>();
    private final Map<String, Tunnel> remote = new ConcurrentHashMap<>();
    private final Map<Protocol, AtomicInteger> counts = new EnumMap<>(Protocol.class);
    private volatile Function<String, Future<Tunnel>> elsewhere = key -> Future.succeededFuture();

    public TunnelRegistry(MeterRegistry meters) {
        for (Protocol p : Protocol.values()) {
            AtomicInteger count = new AtomicInteger();
            counts.put(p, count);
            Gauge.builder("tunneld.tunnels", count, AtomicInteger::get).strongReference(true)
                    .description("Live tunnels of this replica's sessions").tag("protocol", p.wireName())
                    .register(meters);
        }
    }

    /** Registers one of this replica's tunnels unless its route is taken; returns whether it was. */
    public boolean register(Tunnel tunnel) {
        if (local.putIfAbsent(tunnel.routeKey(), tunnel) != null) {
            return false;
        }
        counts.get(tunnel.protocol()).incrementAndGet();
        return true;
    }

    /**
     * Registers one of this replica's tunnels whose route the cluster granted it; it goes
     * before another replica's tunnel that had the route (when a session moved here).
     */
    public void claimed(Tunnel tunnel) {
        Tunnel old = local.put(tunnel.routeKey(), tunnel);
        if (old != null) {
            counts.get(old.protocol()).decrementAndGet();
        }
        counts.get(tunnel.protocol()).incrementAndGet();
    }

    /** Frees one of this replica's tunnels' route if it still holds it. */
    public void unregister(Tunnel tunnel) {
        if (local.remove(tunnel.routeKey(), tunnel)) {
            counts.get(tunnel.protocol()).decrementAndGet();
        }
    }

    /**
     * Routes {@code tunnel}'s route to another replica's session. A tunnel of this replica's on
     * the same route goes first until it is unregistered: its session, which moved away, is
     * being closed, and an announcement older than this replica's own claim must not hide it.
     */
    public void putRemote(Tunnel tunnel) {
        remote.put(tunnel.routeKey(), tunnel);
    }

    /** Forgets another replica's tunnel if it still has the route. */
    public void removeRemote(Tunnel tunnel) {
        remote.remove(tunnel.routeKey(), tunnel);
    }

    /** The HTTP(S) tunnel serving this host (lower case, no port), or null. */
    public Tunnel lookupHttp(Protocol protocol, String host) {
        return lookup(Tunnel.httpRouteKey(protocol, host));
    }

    /** The tunnel on a route, or null. */
    public Tunnel lookup(String routeKey) {
        Tunnel tunnel = local.get(routeKey);
        return tunnel != null ? tunnel : remote.get(routeKey);
    }

    /**
     * Where to look for a route that is not known here (the cluster directory, which may
     * know of a tunnel opened on another replica a moment ago, before its announcement
     * arrived); on a single node, nowhere.
     */
    public void lookElsewhere(Function<String, Future<Tunnel>> lookup) {
        this.elsewhere = lookup;
    }

    /**
     * The tunnel of a route {@link #lookup} did not find, if it exists elsewhere; null if not.
     * Only for misses: public connections to known routes never wait for it.
     */
    public Future<Tunnel> lookupMissed(String routeKey) {
        Tunnel tunnel = lookup(routeKey);
        return tunnel != null ? Future.succeededFuture(tunnel) : elsewhere.apply(routeKey);
    }

    /**
     * Whether a route is held, here or (as far as this replica knows) elsewhere, by another
     * session than {@code clientId}'s: a session resuming its id may take its routes back.
     */
    public boolean heldByOther(String routeKey, String clientId) {
        Tunnel tunnel = lookup(routeKey);
        return tunnel != null && !tunnel.source().clientId().equals(clientId);
    }

    /** Live tunnels of a protocol, of this replica's sessions. */
    public int count(Protocol protocol) {
        return counts.get(protocol).get();
    }
}
