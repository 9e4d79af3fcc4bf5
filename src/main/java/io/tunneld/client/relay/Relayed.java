package io.tunneld.client.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketInternal;

/**
 * A proxy connection whose StartProxy has been read, held until its local connection is open.
 * Whatever arrives meanwhile is kept, with the bytes that followed StartProxy, to go to the
 * local service first. Reading goes on while it is held, up to {@link #KEPT_BEFORE_PAUSE}
 * bytes: reading is how a close is seen, and only epoll reports one to a channel that is not
 * reading (macOS and Windows run the client on NIO).
 */
public final class Relayed {

    /** Kept bytes at which reading pauses: a request head or a small body, not an upload. */
    static final int KEPT_BEFORE_PAUSE = 64 * 1024;

    private final NetSocketInternal socket;
    private ByteBuf early;

    private Relayed(NetSocketInternal socket, ByteBuf early) {
        this.socket = socket;
        this.early = early;
    }

    /**
     * Keeps what {@code proxy} delivers from now on, reading until {@link #KEPT_BEFORE_PAUSE}
     * bytes are kept.
     *
     * @param early the bytes read after StartProxy, owned from now on (may be empty)
     */
    public static Relayed hold(NetSocket proxy, ByteBuf early) {
        NetSocketInternal socket = (NetSocketInternal) proxy;
        Relayed held = new Relayed(socket, early);
        socket.messageHandler(held::keep);
        held.pauseIfFull();
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
            pauseIfFull();
        } else {
            ReferenceCountUtil.release(message);
        }
    }

    private void pauseIfFull() {
        if (early.readableBytes() >= KEPT_BEFORE_PAUSE) {
            channel(socket).config().setAutoRead(false);
        }
    }

    static Channel channel(NetSocketInternal socket) {
        return socket.channelHandlerContext().channel();
    }
}
