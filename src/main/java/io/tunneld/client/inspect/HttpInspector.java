package io.tunneld.client.inspect;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import io.tunneld.client.observe.ClientObserver;
import io.tunneld.client.observe.ConnectionObserver;
import io.tunneld.client.observe.OpenTunnel;

/**
 * Reads the HTTP exchanges of the client's http and https tunnels and hands each (when its
 * request is whole, and again when its response is) to its recipients: the inspection page's
 * {@link Exchanges}, the status screen. At most {@value #MAX_TAPPED} connections are read at
 * once; the others are relayed unread.
 */
public final class HttpInspector implements ClientObserver, Recorder {

    /** Connections read at once, so that what is held while they are read stays bounded. */
    static final int MAX_TAPPED = 256;

    private final List<Consumer<Exchange>> recipients;
    private final AtomicLong ids = new AtomicLong();
    private final AtomicInteger tapped = new AtomicInteger();
    private final Map<String, OpenTunnel> tunnels = new LinkedHashMap<>();

    /** @param recipients told of every exchange, on event loops: they must return at once */
    public HttpInspector(List<Consumer<Exchange>> recipients) {
        this.recipients = List.copyOf(recipients);
    }

    @Override
    public synchronized void tunnelOpened(OpenTunnel tunnel) {
        tunnels.put(tunnel.publicUrl(), tunnel);
    }

    /** The tunnels opened so far, in the order they were first opened. */
    public synchronized List<OpenTunnel> tunnels() {
        return new ArrayList<>(tunnels.values());
    }

    @Override
    public ConnectionObserver connectionOpened(OpenTunnel tunnel, String clientAddr) {
        return tunnel.carriesHttp() ? tap(tunnel, clientAddr, -1) : null;
    }

    /** A tap for one connection, or {@code null} when as many are being read as allowed. */
    HttpTap tap(OpenTunnel tunnel, String clientAddr, long replayOf) {
        if (tapped.incrementAndGet() > MAX_TAPPED) {
            tapped.decrementAndGet();
            return null;
        }
        return new HttpTap(tunnel, clientAddr, replayOf, this);
    }

    @Override
    public long nextId() {
        return ids.incrementAndGet();
    }

    @Override
    public void record(Exchange exchange) {
        for (Consumer<Exchange> r : recipients) {
            r.accept(exchange);
        }
    }

    @Override
    public void tapEnded() {
        tapped.decrementAndGet();
    }
}
