package io.tunneld.client.relay;

import java.util.function.Consumer;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

/**
 * Copies one direction of a relayed connection with backpressure: reading from {@code from}
 * stops while {@code to}'s write queue is full and resumes when it drains. Counts the bytes,
 * and hands them to a tap when there is one. Both sockets are on the same event loop.
 */
final class Pump {

    private final NetSocket from;
    private final NetSocket to;
    private final Consumer<Buffer> tap;
    private long bytes;

    Pump(NetSocket from, NetSocket to, Consumer<Buffer> tap) {
        this.from = from;
        this.to = to;
        this.tap = tap;
    }

    /** Starts copying; {@code first} (bytes already read from {@code from}) goes out first. */
    void start(Buffer first) {
        if (first != null && first.length() > 0) {
            forward(first);
        }
        from.handler(this::forward);
        from.endHandler(v -> to.end());
        from.resume();
    }

    long bytes() {
        return bytes;
    }

    private void forward(Buffer b) {
        bytes += b.length();
        if (tap != null) {
            tap.accept(b);
        }
        to.write(b);
        if (to.writeQueueFull()) {
            from.pause();
            to.drainHandler(v -> from.resume());
        }
    }
}
