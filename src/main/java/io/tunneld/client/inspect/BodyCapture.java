package io.tunneld.client.inspect;

import java.io.ByteArrayOutputStream;

import io.netty.buffer.ByteBuf;

/** Collects a body as it is decoded: keeps its first {@code limit} bytes, counts the rest. */
final class BodyCapture {

    private final int limit;
    private ByteArrayOutputStream kept;
    private long size;

    BodyCapture(int limit) {
        this.limit = limit;
    }

    void add(ByteBuf content) {
        int n = content.readableBytes();
        if (n == 0) {
            return;
        }
        int room = (int) Math.min(n, Math.max(0, limit - size));
        if (room > 0) {
            if (kept == null) {
                kept = new ByteArrayOutputStream(Math.min(limit, Math.max(room, 256)));
            }
            byte[] bytes = new byte[room];
            content.getBytes(content.readerIndex(), bytes);
            kept.write(bytes, 0, room);
        }
        size += n;
    }

    Body body() {
        return kept == null ? (size == 0 ? Body.EMPTY : new Body(new byte[0], size)) : new Body(kept.toByteArray(), size);
    }
}
