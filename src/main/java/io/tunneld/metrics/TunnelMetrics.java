package io.tunneld.metrics;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tunneld.tunnel.Protocol;

/**
 * The counters and timers tunneld publishes at {@code /q/metrics} (gauges are registered by
 * the registries that own the numbers). Meters are created once here so the data path only
 * increments.
 */
@ApplicationScoped
public class TunnelMetrics {

    /** Limits that refuse new connections, named as their settings under {@code tunneld.limits}. */
    public static final String WAITING_PER_TUNNEL = "waiting-per-tunnel";
    public static final String UNIDENTIFIED_CONNECTIONS = "unidentified-connections";
    public static final String UNIDENTIFIED_CONNECTIONS_PER_ADDRESS = "unidentified-connections-per-address";

    private final MeterRegistry registry;
    private final Counter[] publicConnections = new Counter[Protocol.values().length];
    private final Counter bytesIn;
    private final Counter bytesOut;
    private final Counter authFailures;
    private final Counter authThrottled;
    private final Counter heartbeatsLost;
    private final Timer proxyWaitFound;
    private final Timer proxyWaitTimedOut;
    private final Map<String, Counter> connectionsRefused = new HashMap<>();

    public TunnelMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (Protocol p : Protocol.values()) {
            publicConnections[p.ordinal()] = Counter.builder("tunneld.public.connections")
                    .description("Public connections accepted").tag("protocol", p.wireName()).register(registry);
        }
        bytesIn = Counter.builder("tunneld.bytes.in").baseUnit("bytes")
                .description("Bytes from public peers to clients").register(registry);
        bytesOut = Counter.builder("tunneld.bytes.out").baseUnit("bytes")
                .description("Bytes from clients to public peers").register(registry);
        authFailures = Counter.builder("tunneld.auth.failures")
                .description("Control connections refused for a bad token").register(registry);
        authThrottled = Counter.builder("tunneld.auth.throttled")
                .description("Auth answers held back: too many failures from their source or ClientId")
                .register(registry);
        heartbeatsLost = Counter.builder("tunneld.heartbeats.lost")
                .description("Controls shut down for a missing Ping").register(registry);
        proxyWaitFound = proxyWaitTimer("found");
        proxyWaitTimedOut = proxyWaitTimer("timeout");
        for (String limit : new String[] { WAITING_PER_TUNNEL, UNIDENTIFIED_CONNECTIONS,
                UNIDENTIFIED_CONNECTIONS_PER_ADDRESS }) {
            connectionsRefused.put(limit, Counter.builder("tunneld.connections.refused")
                    .description("New connections refused because a limit was reached, by its setting (tunneld.limits.*)")
                    .tag("reason", limit).register(registry));
        }
    }

    private Timer proxyWaitTimer(String outcome) {
        return Timer.builder("tunneld.proxy.wait")
                .description("Time a public connection waited for a proxy connection")
                .tag("outcome", outcome).register(registry);
    }

    public void publicConnection(Protocol protocol) {
        publicConnections[protocol.ordinal()].increment();
    }

    public Counter bytesIn() {
        return bytesIn;
    }

    public Counter bytesOut() {
        return bytesOut;
    }

    public void authFailure() {
        authFailures.increment();
    }

    public void authThrottled() {
        authThrottled.increment();
    }

    public void heartbeatLost() {
        heartbeatsLost.increment();
    }

    /** A frame refused: oversize, malformed, unknown or out of place. */
    public void frameRejected(String reason) {
        registry.counter("tunneld.frames.rejected", "reason", reason).increment();
    }

    /** A new connection closed at once because the limit {@code tunneld.limits.<limit>} was reached. */
    public void connectionRefused(String limit) {
        connectionsRefused.get(limit).increment();
    }

    public void proxyWait(Duration waited, boolean found) {
        (found ? proxyWaitFound : proxyWaitTimedOut).record(waited);
    }

    /** The registry, for owners of gauges. */
    public MeterRegistry registry() {
        return registry;
    }
}
