package io.tunneld.protocol;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.parsetools.RecordParser;

/**
 * Turns a byte stream into messages, however the frames are split across reads and TLS
 * records. Refuses absurd lengths before allocating anything; after the first error it
 * reports nothing more, so the owner closes the connection exactly once.
 */
public final class FrameReader implements Handler<Buffer> {

    private final RecordParser parser = RecordParser.newFixed(FrameCodec.HEADER_LENGTH);
    private final int maxLength;
    private final Handler<Message> onMessage;
    private final Handler<ProtocolException> onError;
    private boolean readingHeader = true;
    private boolean failed;

    public FrameReader(int maxLength, Handler<Message> onMessage, Handler<ProtocolException> onError) {
        this.maxLength = maxLength;
        this.onMessage = onMessage;
        this.onError = onError;
        parser.handler(this::onRecord);
    }

    @Override
    public void handle(Buffer bytes) {
        if (!failed) {
            parser.handle(bytes);
        }
    }

    /** Reports no more messages until {@link #resume()}; bytes still arriving are kept. */
    public void pause() {
        parser.pause();
    }

    /** Reports the messages kept while paused, then goes on as before. */
    public void resume() {
        parser.resume();
    }

    private void onRecord(Buffer record) {
        if (failed) {
            return;
        }
        if (readingHeader) {
            long length = record.getLongLE(0);
            if (length <= 0 || length > maxLength) {
                fail(new ProtocolException("frame length " + length + " outside 1.." + maxLength));
                return;
            }
            readingHeader = false;
            parser.fixedSizeMode((int) length);
            return;
        }
        readingHeader = true;
        parser.fixedSizeMode(FrameCodec.HEADER_LENGTH);
        Message message;
        try {
            message = FrameCodec.decode(record);
        } catch (ProtocolException e) {
            fail(e);
            return;
        }
        onMessage.handle(message);
    }

    private void fail(ProtocolException e) {
        failed = true;
        onError.handle(e);
    }
}
