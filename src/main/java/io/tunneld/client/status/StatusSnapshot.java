package io.tunneld.client.status;

import java.util.List;

import io.tunneld.client.observe.OpenTunnel;

/**
 * The status screen's content at one moment.
 *
 * @param server           the server's address
 * @param state            connecting, online, reconnecting (why) or stopped (why)
 * @param serverVersion    the server's version, once online
 * @param tunnels          the tunnels opened
 * @param inspectUrl       the inspection page, or "disabled"
 * @param open             connections being relayed
 * @param total            connections relayed since the start
 * @param bytesIn          bytes from the public side, of the connections closed
 * @param bytesOut         bytes from the local services, of the connections closed
 * @param requestsPerMinute HTTP requests answered in the last minute
 * @param p50Nanos         median HTTP latency (request head to response end), -1 if none
 * @param p90Nanos         90th percentile of the same, -1 if none
 * @param recent           the last requests, newest first
 */
public record StatusSnapshot(String server, String state, String serverVersion, List<OpenTunnel> tunnels,
        String inspectUrl, int open, long total, long bytesIn, long bytesOut, int requestsPerMinute,
        long p50Nanos, long p90Nanos, List<Line> recent) {

    /** A request as the screen lists it. */
    public record Line(String method, String uri, String status) {
    }
}
