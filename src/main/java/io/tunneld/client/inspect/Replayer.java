package io.tunneld.client.inspect;

import java.util.Locale;
import java.util.Set;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpVersion;
import io.tunneld.client.config.Addresses;
import io.tunneld.client.log.ErrorText;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;

/**
 * Sends a recorded request again to its tunnel's local address, as 1.x's Replay did, and
 * records what comes back as a new exchange (read by an {@link HttpTap} like relayed ones).
 * The request goes as it was recorded, on a connection of its own, with its body whole and
 * {@code Connection: close}.
 */
public final class Replayer {

    /** A replay's connection is closed after this long, answered or not. */
    private static final long TIMEOUT_MS = 30_000;
    /** Headers that describe the original connection or framing, not the request. */
    private static final Set<String> FRAMING = Set.of("content-length", "transfer-encoding", "connection",
            "keep-alive", "te", "trailer", "upgrade", "proxy-connection");

    private final Vertx vertx;
    private final NetClient local;
    private final HttpInspector inspector;

    public Replayer(Vertx vertx, HttpInspector inspector) {
        this.vertx = vertx;
        this.local = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true));
        this.inspector = inspector;
    }

    /**
     * Replays {@code original}; completes with the new exchange's id once the request is sent,
     * or fails with a one-line reason.
     */
    public Future<Long> replay(Exchange original) {
        if (original.request().body().truncated()) {
            return Future.failedFuture(new ReplayException(409, "the request's body was larger than the "
                    + HttpTap.BODY_LIMIT / 1024 + " KiB kept, so it cannot be sent again whole"));
        }
        Buffer bytes = encode(original.request());
        String address = original.tunnel().localAddress();
        Promise<Long> sent = Promise.promise();
        local.connect(Addresses.port(address), Addresses.host(address)).onComplete(ar -> {
            if (ar.failed()) {
                sent.fail(new ReplayException(502, "the local service " + address + " could not be reached: "
                        + ErrorText.of(ar.cause())));
                return;
            }
            NetSocket socket = ar.result();
            HttpTap tap = inspector.tap(original.tunnel(), "replay", original.id());
            if (tap == null) {
                socket.close();
                sent.fail(new ReplayException(503, "too many connections are being inspected; try again"));
                return;
            }
            long timer = vertx.setTimer(TIMEOUT_MS, t -> socket.close());
            socket.handler(b -> tap.fromLocal(b.getByteBuf()));
            socket.exceptionHandler(e -> socket.close());
            socket.closeHandler(v -> {
                vertx.cancelTimer(timer);
                tap.closed(bytes.length(), 0);
            });
            tap.fromPublic(bytes.getByteBuf());
            socket.write(bytes);
            sent.complete(tap.lastId());
        });
        return sent.future();
    }

    /** The request's bytes, written by Netty's encoder from what was recorded. */
    static Buffer encode(Request r) {
        byte[] body = r.body().kept();
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(r.method()),
                r.uri(), Unpooled.wrappedBuffer(body));
        boolean framedBody = false;
        for (Header h : r.headers()) {
            String name = h.name().toLowerCase(Locale.ROOT);
            if (!FRAMING.contains(name)) {
                request.headers().add(h.name(), h.value());
            }
            framedBody |= name.equals("content-length") || name.equals("transfer-encoding");
        }
        // The body whole, with its length, however it was framed (chunked, perhaps).
        if (body.length > 0 || framedBody) {
            request.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        }
        request.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        EmbeddedChannel encoder = new EmbeddedChannel(new HttpRequestEncoder());
        encoder.writeOutbound(request);
        Buffer out = Buffer.buffer();
        for (ByteBuf b; (b = encoder.readOutbound()) != null; ) {
            out.appendBuffer(Buffer.buffer(b));
            b.release();
        }
        encoder.finishAndReleaseAll();
        return out;
    }

    /** Why a replay could not be made: a sentence for the page, and the HTTP status to say it with. */
    public static final class ReplayException extends RuntimeException {

        private final int status;

        ReplayException(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }
}
