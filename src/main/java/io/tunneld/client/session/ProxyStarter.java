package io.tunneld.client.session;

import java.util.function.Function;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import io.tunneld.client.log.ClientLog;
import io.tunneld.client.observe.OpenTunnel;
import io.tunneld.client.relay.ProxyRelay;
import io.tunneld.client.relay.Relayed;
import io.tunneld.protocol.FrameCodec;
import io.tunneld.protocol.PeerText;
import io.tunneld.protocol.ProtocolException;
import io.tunneld.protocol.RegProxy;
import io.tunneld.protocol.StartProxy;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketInternal;

/**
 * Answers a ReqProxy: opens a proxy connection, registers it (RegProxy with the session's
 * ClientId), waits in the server's pool for a visitor (StartProxy), then hands it to the
 * relay.
 */
final class ProxyStarter {

    private final ServerDialer dialer;
    private final ProxyRelay relay;
    private final ClientLog log;

    ProxyStarter(ServerDialer dialer, ProxyRelay relay, ClientLog log) {
        this.dialer = dialer;
        this.relay = relay;
        this.log = log;
    }

    /**
     * Opens one proxy connection for the session {@code clientId}.
     *
     * @param tunnels the session's tunnel for a StartProxy URL, or null
     */
    void open(String clientId, Function<String, OpenTunnel> tunnels) {
        dialer.dial().onComplete(ar -> {
            if (ar.failed()) {
                log.error("pxy", "Failed to establish proxy connection: " + dialer.describe(ar.cause()));
                return;
            }
            NetSocket socket = ar.result();
            // A reset while the proxy waits in the server's pool: nothing to tell anyone.
            socket.exceptionHandler(e -> socket.close());
            StartProxyReader reader = new StartProxyReader();
            ((NetSocketInternal) socket).messageHandler(message -> {
                if (!(message instanceof ByteBuf bytes)) {
                    ReferenceCountUtil.release(message);
                    return;
                }
                StartProxyReader.Read read;
                try {
                    read = reader.add(bytes);
                } catch (ProtocolException e) {
                    log.error("pxy", "Server failed to write StartProxy: " + e.getMessage());
                    socket.close();
                    return;
                }
                if (read == null) {
                    return;
                }
                if (!(read.message() instanceof StartProxy start)) {
                    log.error("pxy", "Server sent " + read.message().getClass().getSimpleName() + " instead of StartProxy");
                    read.rest().release();
                    socket.close();
                    return;
                }
                OpenTunnel tunnel = tunnels.apply(start.url());
                if (tunnel == null) {
                    log.error("pxy", "Couldn't find tunnel for proxy: " + PeerText.printable(start.url()));
                    read.rest().release();
                    socket.close();
                    return;
                }
                if (log.enabled(ClientLog.Level.DEBUG)) {
                    log.debug("pxy", "Proxy for " + PeerText.printable(start.url()) + " from " + PeerText.printable(start.clientAddr()));
                }
                relay.relay(Relayed.hold(socket, read.rest()), tunnel, start.clientAddr());
            });
            socket.write(FrameCodec.encode(new RegProxy(clientId)));
        });
    }
}
