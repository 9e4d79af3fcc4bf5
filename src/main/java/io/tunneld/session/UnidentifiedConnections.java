package io.tunneld.session;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tunneld.limits.PerKeyLimit;
import io.tunneld.metrics.TunnelMetrics;

/**
 * Tunnel-port connections that have not sent their first frame yet, kept within a limit on
 * the server and a smaller one per source address, so that a peer holding many silent
 * connections open fills its own share and not everyone's. An IPv6 address counts by its
 * /64, which one host usually has whole.
 */
final class UnidentifiedConnections {

    private final int limit;
    private final AtomicInteger total = new AtomicInteger();
    private final PerKeyLimit<String> bySource;

    UnidentifiedConnections(int limit, int perAddress, MeterRegistry meters) {
        this.limit = limit;
        this.bySource = new PerKeyLimit<>(perAddress);
        Gauge.builder("tunneld.connections.unidentified", total, AtomicInteger::get).strongReference(true)
                .description("Tunnel-port connections that have not sent their first frame yet").register(meters);
    }

    /**
     * Counts a new connection from {@code source} in; returns null if it was, else the limit
     * it would exceed (as {@link TunnelMetrics} names it), and nothing is counted.
     */
    String admit(String source) {
        if (total.getAndUpdate(n -> n < limit ? n + 1 : n) >= limit) {
            return TunnelMetrics.UNIDENTIFIED_CONNECTIONS;
        }
        if (!bySource.add(source)) {
            total.decrementAndGet();
            return TunnelMetrics.UNIDENTIFIED_CONNECTIONS_PER_ADDRESS;
        }
        return null;
    }

    /** A connection admitted from {@code source} has sent its first frame, or closed. */
    void leave(String source) {
        bySource.remove(source);
        total.decrementAndGet();
    }

    /**
     * What a connection from {@code address} counts under: its IPv4 address (Java gives an IPv4
     * peer of a dual-stack socket as one), or the /64 of its IPv6 one.
     */
    static String source(SocketAddress address) {
        if (!(address instanceof InetSocketAddress inet) || inet.getAddress() == null) {
            return String.valueOf(address);
        }
        InetAddress ip = inet.getAddress();
        byte[] bytes = ip.getAddress();
        return bytes.length == 4 ? ip.getHostAddress() : HexFormat.of().formatHex(bytes, 0, 8) + "::/64";
    }
}
