package io.tunneld.client.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tunneld.protocol.FrameCodec;
import io.tunneld.protocol.Message;
import io.tunneld.protocol.ProtocolException;
import io.vertx.core.buffer.Buffer;

/**
 * Reads the one frame a proxy connection gets (StartProxy) from the bytes as they arrive,
 * keeping whatever follows it: the visitor's first bytes may share its read.
 */
final class StartProxyReader {

    /** StartProxy holds a URL and an address: far less than this. */
    private static final int MAX_FRAME = 16 * 1024;

    private final ByteBuf pending = Unpooled.buffer(256);

    /** The frame and the bytes after it (the caller's to release), once complete. */
    record Read(Message message, ByteBuf rest) {
    }

    /** Adds bytes (released here); returns the frame once it is complete, else null. */
    Read add(ByteBuf bytes) throws ProtocolException {
        try {
            pending.writeBytes(bytes);
        } finally {
            bytes.release();
        }
        if (pending.readableBytes() < FrameCodec.HEADER_LENGTH) {
            return null;
        }
        long length = pending.getLongLE(0);
        if (length <= 0 || length > MAX_FRAME) {
            throw new ProtocolException("frame length " + length + " outside 1.." + MAX_FRAME);
        }
        int end = FrameCodec.HEADER_LENGTH + (int) length;
        if (pending.readableBytes() < end) {
            return null;
        }
        Message m = FrameCodec.decode(Buffer.buffer(pending.slice(FrameCodec.HEADER_LENGTH, (int) length)));
        return new Read(m, pending.slice(end, pending.readableBytes() - end));
    }
}
