package io.tunneld.tcp;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.tunneld.config.TunneldConfig;
import io.tunneld.metrics.TunnelMetrics;
import io.tunneld.proxy.ProxyJoin;
import io.tunneld.tunnel.Protocol;
import io.tunneld.tunnel.Tunnel;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

/** Public connections to a TCP tunnel's port: each is joined to one proxy connection. */
@ApplicationScoped
public class TcpIngress {

    private static final Logger LOG = Logger.getLogger(TcpIngress.class);

    private final ProxyJoin join;
    private final TunnelMetrics metrics;
    private final TunneldConfig config;

    public TcpIngress(ProxyJoin join, TunnelMetrics metrics, TunneldConfig config) {
        this.join = join;
        this.metrics = metrics;
        this.config = config;
    }

    void accept(NetSocket socket, Tunnel tunnel) {
        LOG.debugf("%s: connection from %s", tunnel.url(), socket.remoteAddress());
        metrics.publicConnection(Protocol.TCP);
        // Nothing more is read until the proxy is there; the peer's bytes wait in the socket.
        Buffer early = Buffer.buffer();
        socket.handler(early::appendBuffer);
        ProxyJoin.hold(socket);
        if (!join.whenProxyReady(socket, tunnel, early, config.timeouts().proxyWait(), socket::close)) {
            socket.close();
        }
    }
}
