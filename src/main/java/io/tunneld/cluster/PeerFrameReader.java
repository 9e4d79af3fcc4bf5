package io.tunneld.cluster;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;

/**
 * Splits a forward-port byte stream into {@link PeerFrame}s, however they are cut across
 * reads. After a malformed or oversized frame it reports the error once and nothing more.
 * A frame's handler may make it step aside ({@link #detach()}): a claim's joined bytes
 * follow its frames on the same connection, and what was read past the frame is kept for
 * {@link #rest()}.
 */
final class PeerFrameReader implements Handler<Buffer> {

    private final Handler<PeerFrame> onFrame;
    private final Handler<String> onError;
    private Buffer buffered = Buffer.buffer();
    private boolean stopped;
    private boolean detached;

    PeerFrameReader(Handler<PeerFrame> onFrame, Handler<String> onError) {
        this.onFrame = onFrame;
        this.onError = onError;
    }

    @Override
    public void handle(Buffer bytes) {
        if (stopped && !detached) {
            return;
        }
        buffered.appendBuffer(bytes);
        while (!stopped && buffered.length() >= 4) {
            int length = buffered.getInt(0);
            if (length <= 0 || length > PeerFrame.MAX_LENGTH) {
                fail("frame length " + length + " outside 1.." + PeerFrame.MAX_LENGTH);
                return;
            }
            if (buffered.length() < 4 + length) {
                return;
            }
            Buffer json = buffered.getBuffer(4, 4 + length);
            buffered = buffered.getBuffer(4 + length, buffered.length());
            PeerFrame frame;
            try {
                frame = PeerFrame.decode(json);
            } catch (IllegalArgumentException e) {
                fail(e.getMessage());
                return;
            }
            onFrame.handle(frame);
        }
    }

    /** Stops parsing, from within a frame's handler; later bytes are kept for {@link #rest()}. */
    void detach() {
        stopped = true;
        detached = true;
    }

    /** Bytes read past the frame at which the reader was detached. */
    Buffer rest() {
        return buffered;
    }

    private void fail(String why) {
        stopped = true;
        buffered = Buffer.buffer();
        onError.handle(why);
    }
}
