package io.tunneld.client.session;

/**
 * 1.x's heartbeat: a Ping every 20 s, and the connection counts as dead when a Pong is more
 * than 15 s late.
 */
final class Heartbeat {

    static final long PING_INTERVAL_MS = 20_000;
    static final long MAX_PONG_LATENCY_MS = 15_000;
    static final long CHECK_INTERVAL_MS = 1_000;

    private long lastPingNanos;
    private long lastPongNanos;

    Heartbeat(long nowNanos) {
        lastPongNanos = nowNanos;
        lastPingNanos = nowNanos - 1;
    }

    void pinged(long nowNanos) {
        lastPingNanos = nowNanos;
    }

    void ponged(long nowNanos) {
        lastPongNanos = nowNanos;
    }

    /** Seconds since the unanswered Ping when it is too late, else -1. */
    long staleSeconds(long nowNanos) {
        boolean awaiting = lastPongNanos - lastPingNanos < 0;
        long waitedMs = (nowNanos - lastPingNanos) / 1_000_000;
        return awaiting && waitedMs > MAX_PONG_LATENCY_MS ? waitedMs / 1000 : -1;
    }
}
