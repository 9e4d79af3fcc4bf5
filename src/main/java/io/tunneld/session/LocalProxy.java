package io.tunneld.session;

import io.tunneld.protocol.StartProxy;
import io.tunneld.tunnel.ProxyConnection;
import io.vertx.core.Future;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketInternal;

/** A proxy connection the client opened to this replica. */
public record LocalProxy(NetSocket socket) implements PooledProxy {

    @Override
    public Object place() {
        return ((NetSocketInternal) socket).channelHandlerContext().channel().eventLoop();
    }

    @Override
    public boolean isOpen() {
        return ((NetSocketInternal) socket).channelHandlerContext().channel().isActive();
    }

    @Override
    public void whenGone(Runnable onGone) {
        // An idle proxy carries nothing until StartProxy: data or EOF means it is unusable.
        socket.handler(data -> onGone.run());
        socket.closeHandler(v -> onGone.run());
    }

    @Override
    public Future<ProxyConnection> open(StartProxy start) {
        return Future.succeededFuture(ProxyConnection.direct(socket));
    }

    @Override
    public void close() {
        socket.close();
    }
}
