package io.tunneld.tunnel;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Every live tunnel by what routes to it: HTTP(S) hosts (without port) and TCP ports. A key
 * can be held by one tunnel only; that is what makes a URL "already registered".
 */
@ApplicationScoped
public class TunnelRegistry {

    private final Map<String, Tunnel> byRoute = new ConcurrentHashMap<>();
    private final Map<Protocol, AtomicInteger> counts = new EnumMap<>(Protocol.class);

    public TunnelRegistry(MeterRegistry meters) {
        for (Protocol p : Protocol.values()) {
            AtomicInteger count = new AtomicInteger();
            counts.put(p, count);
            Gauge.builder("tunneld.tunnels", count, AtomicInteger::get).strongReference(true)
                    .description("Live tunnels").tag("protocol", p.wireName()).register(meters);
        }
    }

    /** Registers the tunnel unless its route is taken; returns whether it was registered. */
    public boolean register(Tunnel tunnel) {
        if (byRoute.putIfAbsent(tunnel.routeKey(), tunnel) != null) {
            return false;
        }
        counts.get(tunnel.protocol()).incrementAndGet();
        return true;
    }

    /** Frees the tunnel's route if it still holds it. */
    public void unregister(Tunnel tunnel) {
        if (byRoute.remove(tunnel.routeKey(), tunnel)) {
            counts.get(tunnel.protocol()).decrementAndGet();
        }
    }

    /** The HTTP(S) tunnel serving this host (lower case, no port), or null. */
    public Tunnel lookupHttp(Protocol protocol, String host) {
        return byRoute.get(Tunnel.httpRouteKey(protocol, host));
    }

    /** Whether a route key is taken. */
    public boolean isTaken(String routeKey) {
        return byRoute.containsKey(routeKey);
    }

    /** Live tunnels of a protocol. */
    public int count(Protocol protocol) {
        return counts.get(protocol).get();
    }
}
