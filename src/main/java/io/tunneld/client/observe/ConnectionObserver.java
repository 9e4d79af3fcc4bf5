package io.tunneld.client.observe;

import io.netty.buffer.ByteBuf;

/**
 * What is told about one relayed connection. Called on the connection's event loop, in the
 * order bytes travel. Buffers are the relay's own: read them without moving their reader
 * index, and copy what is kept.
 */
public interface ConnectionObserver {

    /**
     * True to be given the bytes of an http or https tunnel's connection in both directions
     * ({@link #fromPublic}, {@link #fromLocal}); asked once, when the connection opens.
     */
    default boolean tapsHttp() {
        return false;
    }

    /** Bytes from the public side on their way to the local service (requests, for HTTP). */
    default void fromPublic(ByteBuf bytes) {
    }

    /** Bytes from the local service on their way out (responses, for HTTP). */
    default void fromLocal(ByteBuf bytes) {
    }

    /** The local service could not be reached; the connection closes (after a 502 for HTTP). */
    default void localUnreachable(String reason) {
    }

    /** Both sides are closed; byte counts of the whole connection. */
    default void closed(long bytesFromPublic, long bytesFromLocal) {
    }
}
