package io.tunneld.client.views;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.tunneld.client.observe.ClientObserver;
import io.tunneld.client.observe.ConnectionObserver;
import io.tunneld.client.observe.OpenTunnel;

/** Tells several views what the client tells one. */
final class FanOut implements ClientObserver {

    private final List<ClientObserver> views;

    private FanOut(List<ClientObserver> views) {
        this.views = views;
    }

    /** One observer for all of {@code views}: nothing, the one, or a fan-out. */
    static ClientObserver of(List<ClientObserver> views) {
        return switch (views.size()) {
            case 0 -> ClientObserver.NONE;
            case 1 -> views.get(0);
            default -> new FanOut(List.copyOf(views));
        };
    }

    @Override
    public void connecting(String serverAddr) {
        views.forEach(v -> v.connecting(serverAddr));
    }

    @Override
    public void online(String serverVersion) {
        views.forEach(v -> v.online(serverVersion));
    }

    @Override
    public void tunnelOpened(OpenTunnel tunnel) {
        views.forEach(v -> v.tunnelOpened(tunnel));
    }

    @Override
    public void reconnecting(String reason, Duration delay) {
        views.forEach(v -> v.reconnecting(reason, delay));
    }

    @Override
    public void stopped(String message) {
        views.forEach(v -> v.stopped(message));
    }

    @Override
    public ConnectionObserver connectionOpened(OpenTunnel tunnel, String clientAddr) {
        List<ConnectionObserver> seen = new ArrayList<>(views.size());
        for (ClientObserver v : views) {
            ConnectionObserver c = v.connectionOpened(tunnel, clientAddr);
            if (c != null) {
                seen.add(c);
            }
        }
        return switch (seen.size()) {
            case 0 -> null;
            case 1 -> seen.get(0);
            default -> new Connection(seen);
        };
    }

    /** Several views of one connection; only those that tap are given its bytes. */
    private static final class Connection implements ConnectionObserver {

        private final List<ConnectionObserver> all;
        private List<ConnectionObserver> tapping;

        Connection(List<ConnectionObserver> all) {
            this.all = all;
        }

        @Override
        public boolean tapsHttp() {
            tapping = all.stream().filter(ConnectionObserver::tapsHttp).toList();
            return !tapping.isEmpty();
        }

        @Override
        public void fromPublic(ByteBuf bytes) {
            for (ConnectionObserver c : tapping) {
                c.fromPublic(bytes);
            }
        }

        @Override
        public void fromLocal(ByteBuf bytes) {
            for (ConnectionObserver c : tapping) {
                c.fromLocal(bytes);
            }
        }

        @Override
        public void localUnreachable(String reason) {
            all.forEach(c -> c.localUnreachable(reason));
        }

        @Override
        public void closed(long bytesFromPublic, long bytesFromLocal) {
            all.forEach(c -> c.closed(bytesFromPublic, bytesFromLocal));
        }
    }
}
