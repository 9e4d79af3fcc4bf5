package io.tunneld.cluster;

import java.util.HashMap;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * What a cluster replica publishes at {@code /q/metrics}: connections forwarded to and from
 * other replicas by reason ({@code http}, {@code https}, {@code tcp} public connections, and
 * {@code proxy} connections a client opened to a replica other than its session's), full TLS
 * handshakes on the forward port, Redis round trips, and lease renewals that failed.
 */
final class ClusterMetrics {

    private final MeterRegistry registry;
    private final Map<String, Counter> forwarded = new HashMap<>();
    private final Timer redis;
    private final Counter renewalsFailed;

    ClusterMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.redis = Timer.builder("tunneld.cluster.redis").description("Redis calls of the cluster directory")
                .register(registry);
        this.renewalsFailed = Counter.builder("tunneld.cluster.lease.renewals.failed")
                .description("Lease renewals that failed (Redis unreachable or slow)").register(registry);
        for (String direction : new String[] { "in", "out" }) {
            for (String reason : new String[] { "http", "https", "tcp", "proxy" }) {
                forwarded.put(direction + reason, Counter.builder("tunneld.cluster.forwarded")
                        .description("Connections forwarded between replicas").tag("direction", direction)
                        .tag("reason", reason).register(registry));
            }
        }
    }

    /** Publishes how many dialing replicas {@code trust} has judged: full handshakes on the forward port. */
    void fullHandshakes(ReplicaTrust trust) {
        FunctionCounter.builder("tunneld.cluster.forward.handshakes.full", trust, ReplicaTrust::dialersChecked)
                .description("TLS handshakes on the forward port that checked the dialing replica's certificate;"
                        + " the others resumed").register(registry);
    }

    Timer redis() {
        return redis;
    }

    void renewalFailed() {
        renewalsFailed.increment();
    }

    /** A connection forwarded from ({@code in}) or to ({@code out}) another replica. */
    void forwarded(String direction, String reason) {
        Counter counter = forwarded.get(direction + reason);
        if (counter != null) {
            counter.increment();
        }
    }

    /** The reason of a public connection's claim, from the URL its client is told. */
    static String reasonOf(String url) {
        int colon = url.indexOf(':');
        return colon > 0 ? url.substring(0, colon) : "http";
    }
}
