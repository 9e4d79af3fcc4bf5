package io.tunneld.client.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketInternal;

/**
 * A proxy connection whose StartProxy has been read, held (not reading) until its local
 * connection is open. Whatever arrives meanwhile (a TLS read can hold several records) is
 * kept, with the bytes that followed StartProxy, to go to the local service first.
 */
public final class Relayed {

    private final NetSocketInternal socket;
    private ByteBuf early;

    private Relayed(NetSocketInternal socket, ByteBuf early) {
        this.socket = socket;
        this.early = early;
    }

    /**
     * Stops reading {@code proxy} and keeps what it still delivers.
     *
     * @param early the bytes read after StartProxy, owned from now on (may be empty)
     */
    public static Relayed hold(NetSocket proxy, ByteBuf early) {
        NetSocketInternal socket = (NetSocketInternal) proxy;
        channel(socket).config().setAutoRead(false);
        Relayed held = new Relayed(socket, early);
        socket.messageHandler(held::keep);
        return held;
    }

    NetSocketInternal socket() {
        return socket;
    }

    boolean isOpen() {
        return channel(socket).isActive();
    }

    /** The bytes kept so far, handed over with their ownership; none are kept after this. */
    ByteBuf takeEarly() {
        ByteBuf taken = early;
        early = Unpooled.EMPTY_BUFFER;
        return taken;
    }

    /**
     * Drops the bytes kept, and reads and drops those still to come: closing with a request
     * unread would reset the connection, and the visitor might lose an answer written first.
     */
    void discard() {
        socket.messageHandler(ReferenceCountUtil::release);
        takeEarly().release();
        channel(socket).config().setAutoRead(true);
    }

    private void keep(Object message) {
        if (message instanceof ByteBuf data) {
            // Wrapped, not copied: the composite owns both and releases them with itself.
            if (early.isReadable()) {
                early = Unpooled.wrappedBuffer(early, data);
            } else {
                early.release();
                early = data;
            }
        } else {
            ReferenceCountUtil.release(message);
        }
    }

    static Channel channel(NetSocketInternal socket) {
        return socket.channelHandlerContext().channel();
    }
}
