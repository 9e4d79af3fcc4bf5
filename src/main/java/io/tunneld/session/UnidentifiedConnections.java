package io.tunneld.session;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tunneld.metrics.TunnelMetrics;

/**
 * Tunnel-port connections that have not sent their first frame yet, kept within a limit on
 * the server and a smaller one per source address, so that a peer holding many silent
 * connections open fills its own share and not everyone's. An IPv6 address counts by its
 * /64, which one host usually has whole.
 */
final class UnidentifiedConnections {

    private final int limit;
    private final int perAddress;
    private final AtomicInteger total = new AtomicInteger();
    private final Map<String, Integer> bySource = new ConcurrentHashMap<>();

    UnidentifiedConnections(int limit, int perAddress, MeterRegistry meters) {
        this.limit = limit;
        this.perAddress = perAddress;
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
        boolean[] admitted = new boolean[1];
        bySource.compute(source, (s, n) -> {
            int count = n == null ? 0 : n;
            if (count >= perAddress) {
                return n;
            }
            admitted[0] = true;
            return count + 1;
        });
        if (!admitted[0]) {
            total.decrementAndGet();
            return TunnelMetrics.UNIDENTIFIED_CONNECTIONS_PER_ADDRESS;
        }
        return null;
    }

    /** A connection admitted from {@code source} has sent its first frame, or closed. */
    void leave(String source) {
        bySource.computeIfPresent(source, (s, n) -> n == 1 ? null : n - 1);
        total.decrementAndGet();
    }

    /** What a connection from {@code address} counts under: its IPv4 address, or the /64 of its IPv6 one. */
    static String source(SocketAddress address) {
        if (!(address instanceof InetSocketAddress inet) || inet.getAddress() == null) {
            return String.valueOf(address);
        }
        InetAddress ip = inet.getAddress();
        byte[] bytes = ip.getAddress();
        if (bytes.length == 4) {
            return ip.getHostAddress();
        }
        if (isIpv4Mapped(bytes)) {
            return (bytes[12] & 0xff) + "." + (bytes[13] & 0xff) + "." + (bytes[14] & 0xff) + "." + (bytes[15] & 0xff);
        }
        return HexFormat.of().formatHex(bytes, 0, 8) + "::/64";
    }

    /** {@code ::ffff:a.b.c.d}, as a dual-stack socket shows an IPv4 peer. */
    private static boolean isIpv4Mapped(byte[] ipv6) {
        byte[] prefix = new byte[12];
        prefix[10] = (byte) 0xff;
        prefix[11] = (byte) 0xff;
        return Arrays.equals(ipv6, 0, 12, prefix, 0, 12);
    }
}
