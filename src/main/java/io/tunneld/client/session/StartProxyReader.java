package io.tunneld.client.session;

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

    private Buffer pending = Buffer.buffer();

    /** The frame and the bytes after it, once complete. */
    record Read(Message message, Buffer rest) {
    }

    /** Adds bytes; returns the frame once it is complete, else null. */
    Read add(Buffer bytes) throws ProtocolException {
        pending.appendBuffer(bytes);
        if (pending.length() < FrameCodec.HEADER_LENGTH) {
            return null;
        }
        long length = pending.getLongLE(0);
        if (length <= 0 || length > MAX_FRAME) {
            throw new ProtocolException("frame length " + length + " outside 1.." + MAX_FRAME);
        }
        int end = FrameCodec.HEADER_LENGTH + (int) length;
        if (pending.length() < end) {
            return null;
        }
        Message m = FrameCodec.decode(pending.getBuffer(FrameCodec.HEADER_LENGTH, end));
        return new Read(m, pending.getBuffer(end, pending.length()));
    }
}
