package io.tunneld.tunnel;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

/**
 * A connection that will carry one public connection's bytes to the tunnel's client: the
 * client's own proxy connection, or a connection to the replica that holds it.
 *
 * @param socket  the connection
 * @param started whether {@code StartProxy} has been sent already (by the other replica);
 *                otherwise the joiner sends it first
 * @param early   bytes already read from it, to be passed on before anything else
 */
public record ProxyConnection(NetSocket socket, boolean started, Buffer early) {

    /** The client's own proxy connection, nothing sent or read yet. */
    public static ProxyConnection direct(NetSocket socket) {
        return new ProxyConnection(socket, false, Buffer.buffer());
    }
}
