package io.tunneld.client.status;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

import io.tunneld.client.inspect.Exchange;
import io.tunneld.client.observe.ClientObserver;
import io.tunneld.client.observe.ConnectionObserver;
import io.tunneld.client.observe.OpenTunnel;

/**
 * What the status screen shows, kept up to date by the client's event loops (as an observer,
 * and as a recipient of the inspector's exchanges) and read once a second by the screen.
 * Updates are counters or a short lock.
 */
public final class StatusState implements ClientObserver, Consumer<Exchange> {

    /** How many recent requests the screen lists, as 1.x's terminal view. */
    static final int RECENT = 10;
    /** Latencies are the percentiles of at most this many recent exchanges. */
    private static final int LATENCY_SAMPLES = 1000;
    private static final long MINUTE_NANOS = Duration.ofMinutes(1).toNanos();

    private volatile String inspectUrl;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong total = new AtomicLong();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final Map<String, OpenTunnel> tunnels = new LinkedHashMap<>();
    /** End times (nanoTime) of the exchanges of the last minute and a bit, oldest first. */
    private final ArrayDeque<Long> ends = new ArrayDeque<>();
    private final long[] latencies = new long[LATENCY_SAMPLES];
    private final ArrayDeque<StatusSnapshot.Line> recent = new ArrayDeque<>();
    private int latencyCount;
    private String server = "";
    private String state = "connecting";
    private String serverVersion = "";

    /** @param inspectUrl the inspection page's URL, or "disabled" */
    public StatusState(String inspectUrl) {
        this.inspectUrl = inspectUrl;
    }

    /** Where the inspection page is, once it listens (or why it does not). */
    public void inspectUrl(String url) {
        inspectUrl = url;
    }

    @Override
    public synchronized void connecting(String serverAddr) {
        server = serverAddr;
        if (!state.startsWith("reconnecting")) {
            state = "connecting";
        }
    }

    @Override
    public synchronized void online(String version) {
        state = "online";
        serverVersion = version;
    }

    @Override
    public synchronized void tunnelOpened(OpenTunnel tunnel) {
        tunnels.put(tunnel.publicUrl(), tunnel);
    }

    @Override
    public synchronized void reconnecting(String reason, Duration delay) {
        state = "reconnecting (" + reason + ")";
    }

    @Override
    public synchronized void stopped(String message) {
        state = "stopped (" + message + ")";
    }

    @Override
    public ConnectionObserver connectionOpened(OpenTunnel tunnel, String clientAddr) {
        open.incrementAndGet();
        total.incrementAndGet();
        return new ConnectionObserver() {
            @Override
            public void localUnreachable(String reason) {
                open.decrementAndGet();
            }

            @Override
            public void closed(long fromPublic, long fromLocal) {
                open.decrementAndGet();
                bytesIn.add(fromPublic);
                bytesOut.add(fromLocal);
            }
        };
    }

    /** An exchange the inspector read: counted once its response ended; replays are not traffic. */
    @Override
    public void accept(Exchange e) {
        if (e.replayOf() >= 0 || !e.ended()) {
            return;
        }
        long now = System.nanoTime();
        synchronized (this) {
            ends.addLast(now);
            if (e.durationNanos() >= 0) {
                latencies[latencyCount++ % LATENCY_SAMPLES] = e.durationNanos();
            }
            recent.addFirst(new StatusSnapshot.Line(e.request().method(), e.request().uri(),
                    e.response() == null ? e.failure() : e.response().status() + " " + e.response().reason()));
            while (recent.size() > RECENT) {
                recent.removeLast();
            }
            forgetBefore(now - MINUTE_NANOS);
        }
    }

    /** What the screen shows now. */
    public synchronized StatusSnapshot snapshot(long nowNanos) {
        forgetBefore(nowNanos - MINUTE_NANOS);
        long[] sample = Arrays.copyOf(latencies, Math.min(latencyCount, LATENCY_SAMPLES));
        Arrays.sort(sample);
        return new StatusSnapshot(server, state, serverVersion, new ArrayList<>(tunnels.values()), inspectUrl,
                open.get(), total.get(), bytesIn.sum(), bytesOut.sum(), ends.size(), percentile(sample, 50),
                percentile(sample, 90), List.copyOf(recent));
    }

    private void forgetBefore(long limit) {
        while (!ends.isEmpty() && ends.peekFirst() - limit < 0) {
            ends.removeFirst();
        }
    }

    /** The nearest-rank percentile, or -1 of no samples. */
    static long percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return -1;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }
}
