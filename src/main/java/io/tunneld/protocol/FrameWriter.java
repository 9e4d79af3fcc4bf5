package io.tunneld.protocol;

import java.util.ArrayDeque;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

/**
 * Sends frames on a control connection one TLS record each. The Go client reads a frame
 * body with a single {@code Read}, which returns at most one record, so a body must never
 * straddle two; some Python clients handle one frame per read, so frames are not batched
 * either. Each frame is one write, and the next starts only once it has left, so the TLS
 * layer never merges and re-splits them.
 */
public final class FrameWriter {

    /** TLS plaintext record limit (2^14). */
    static final int MAX_RECORD = 16 * 1024;

    private final NetSocket socket;
    private final Context context;
    private final Thread eventLoop = Thread.currentThread();
    private final int maxQueued;
    private final ArrayDeque<Buffer> queue = new ArrayDeque<>();
    private Runnable overflowHandler = () -> { };
    private boolean writing;
    private boolean ending;

    /**
     * Create on the connection's context.
     *
     * @param maxQueued frames allowed to wait; past that the connection is closed rather than
     *                  buffering without bound. Frames wait when the client does not read, and
     *                  also while one read is handled: Vert.x flushes a write made then only
     *                  once the read is done, so the answers to a burst of requests queue here.
     */
    public FrameWriter(NetSocket socket, Context context, int maxQueued) {
        this.socket = socket;
        this.context = context;
        this.maxQueued = maxQueued;
    }

    /**
     * Runs on the connection's context when {@code maxQueued} frames are waiting, just before
     * the connection is closed for it.
     */
    public void overflowHandler(Runnable handler) {
        this.overflowHandler = handler;
    }

    /** Queues one frame; callable from any thread. */
    public void send(Message message) {
        Buffer frame = FrameCodec.encode(message);
        if (frame.length() > MAX_RECORD) {
            throw new IllegalArgumentException("frame larger than one TLS record: " + frame.length());
        }
        if (Thread.currentThread() == eventLoop) {
            enqueue(frame);
        } else {
            context.runOnContext(v -> enqueue(frame));
        }
    }

    /**
     * Closes the connection once every queued frame has been written, or after a few seconds
     * if the peer does not read them; callable from any thread.
     */
    public void end() {
        if (Thread.currentThread() == eventLoop) {
            ending = true;
            closeIfDrained();
            context.owner().setTimer(5_000, t -> socket.close());
        } else {
            context.runOnContext(v -> end());
        }
    }

    private void closeIfDrained() {
        if (ending && !writing && queue.isEmpty()) {
            socket.close();
        }
    }

    private void enqueue(Buffer frame) {
        if (queue.size() >= maxQueued) {
            queue.clear();
            overflowHandler.run();
            socket.close();
            return;
        }
        queue.add(frame);
        if (!writing) {
            writeNext();
        }
    }

    private void writeNext() {
        writing = true;
        socket.write(queue.poll()).onComplete(ar -> {
            writing = false;
            if (ar.succeeded() && !queue.isEmpty()) {
                writeNext();
            } else {
                closeIfDrained();
            }
        });
    }
}
