package io.tunneld.client.relay;

import io.netty.buffer.ByteBuf;
import io.tunneld.client.log.ClientLog;
import io.tunneld.client.log.ErrorText;
import io.tunneld.client.observe.ClientObserver;
import io.tunneld.client.observe.ConnectionObserver;
import io.tunneld.client.observe.OpenTunnel;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketInternal;

/**
 * Joins a started proxy connection to the tunnel's local service: connects to the local
 * address, then copies both ways with backpressure until either side closes, and closes the
 * other once what it was sent has been written. If the local service refuses, an http
 * tunnel's visitor gets a 502 page and a tcp tunnel's a close.
 */
public final class ProxyRelay {

    private final NetClient local;
    private final ClientObserver observer;
    private final ClientLog log;

    /**
     * @param local plain (no TLS) client for local connections, on the same Vert.x as the
     *              proxy connections, so each local connection shares its proxy's event loop
     */
    public ProxyRelay(NetClient local, ClientObserver observer, ClientLog log) {
        this.local = local;
        this.observer = observer;
        this.log = log;
    }

    /** Relays {@code proxy} (held since its StartProxy) to {@code tunnel}'s local address. */
    public void relay(Relayed proxy, OpenTunnel tunnel, String clientAddr) {
        ConnectionObserver seen = observer.connectionOpened(tunnel, clientAddr);
        String address = tunnel.localAddress();
        int colon = address.lastIndexOf(':');
        String host = address.substring(0, colon);
        if (host.startsWith("[")) {
            host = host.substring(1, host.length() - 1);
        }
        local.connect(Integer.parseInt(address.substring(colon + 1)), host).onComplete(ar -> {
            if (ar.failed()) {
                refused(proxy, tunnel, seen, ar.cause());
            } else if (!proxy.isOpen()) {
                // The visitor left while the local connection opened.
                proxy.discard();
                ar.result().close();
                if (seen != null) {
                    seen.closed(0, 0);
                }
            } else {
                join(proxy, (NetSocketInternal) ar.result(), tunnel, seen);
            }
        });
    }

    private void refused(Relayed proxy, OpenTunnel tunnel, ConnectionObserver seen, Throwable cause) {
        String reason = ErrorText.of(cause);
        log.warn("pxy", "Failed to open private leg " + tunnel.localAddress() + ": " + reason);
        if (seen != null) {
            seen.localUnreachable(reason);
        }
        NetSocket socket = proxy.socket();
        proxy.discard();
        if (tunnel.carriesHttp()) {
            socket.end(BadGateway.response(tunnel.publicUrl(), tunnel.localAddress()));
        } else {
            socket.close();
        }
    }

    private void join(Relayed held, NetSocketInternal service, OpenTunnel tunnel, ConnectionObserver seen) {
        NetSocketInternal proxy = held.socket();
        boolean tap = seen != null && tunnel.carriesHttp() && seen.tapsHttp();
        Pump in = new Pump(proxy, service, tap ? seen::fromPublic : null);
        Pump out = new Pump(service, proxy, tap ? seen::fromLocal : null);
        Runnable closeBoth = new Runnable() {
            private int closed;

            @Override
            public void run() {
                if (++closed == 2 && seen != null) {
                    seen.closed(in.bytes(), out.bytes());
                }
            }
        };
        proxy.closeHandler(v -> {
            service.close();
            closeBoth.run();
        });
        service.closeHandler(v -> {
            proxy.close();
            closeBoth.run();
        });
        proxy.exceptionHandler(e -> proxy.close());
        service.exceptionHandler(e -> service.close());
        out.start();
        ByteBuf early = held.takeEarly();
        if (early.isReadable()) {
            in.counted(early);
            service.writeMessage(early, null);
        } else {
            early.release();
        }
        in.start();
    }
}
