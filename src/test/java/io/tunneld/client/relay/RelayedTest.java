package io.tunneld.client.relay;

import static io.tunneld.testsupport.EventLoops.await;
import static io.tunneld.testsupport.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tunneld.testsupport.EventLoops;
import io.tunneld.testsupport.VertxTest;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

/**
 * A held proxy connection on NIO, the transport the client has on macOS and Windows (this
 * test's Vert.x does not prefer the native one): a close is seen only by reading, so reading
 * goes on while the local connection opens, up to a bound.
 */
class RelayedTest extends VertxTest {

    private final CompletableFuture<NetSocket> serverSide = new CompletableFuture<>();
    private int port;

    @BeforeEach
    void listen() throws Exception {
        NetServer server = vertx.createNetServer().connectHandler(serverSide::complete);
        port = await(server.listen(0, "127.0.0.1")).actualPort();
    }

    @Test
    void aVisitorWhoLeavesWhileHeldIsSeenAndWhatTheySentIsKept() throws Exception {
        assertFalse(vertx.isNativeTransportEnabled(), "the premise: NIO");
        Relayed held = hold();
        NetSocket visitor = serverSide.get(5, TimeUnit.SECONDS);
        visitor.write("GET /left HTTP/1.1\r\n\r\n").onComplete(v -> visitor.close());

        eventually(() -> !held.isOpen());
        assertEquals("GET /left HTTP/1.1\r\n\r\n", onLoop(() -> {
            ByteBuf kept = held.takeEarly();
            String text = kept.toString(StandardCharsets.US_ASCII);
            kept.release();
            return text;
        }));
    }

    @Test
    void readingPausesOnceEnoughIsKeptAndNothingIsLostWhenItResumes() throws Exception {
        byte[] upload = new byte[1 << 20];
        for (int i = 0; i < upload.length; i++) {
            upload[i] = (byte) (i * 31 + (i >> 8));
        }
        Relayed held = hold();
        NetSocket visitor = serverSide.get(5, TimeUnit.SECONDS);
        visitor.write(Buffer.buffer(upload)).onComplete(v -> visitor.close());

        eventually(() -> !Relayed.channel(held.socket()).config().isAutoRead());
        // Paused in the read that crossed the bound: what is kept now is all there is until resumed.
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        int kept = onLoop(() -> {
            ByteBuf early = held.takeEarly();
            int size = early.readableBytes();
            copy(early, received);
            held.socket().messageHandler(message -> copy((ByteBuf) message, received));
            Relayed.channel(held.socket()).config().setAutoRead(true);
            return size;
        });
        assertTrue(kept >= Relayed.KEPT_BEFORE_PAUSE && kept < upload.length, kept + " bytes kept");

        eventually(() -> !held.isOpen());
        assertArrayEquals(upload, onLoop(received::toByteArray));
    }

    /** A client connection on loop 0, held as the client holds a proxy after its StartProxy. */
    private Relayed hold() throws Exception {
        return EventLoops.on(vertx, loop(0),
                () -> vertx.createNetClient().connect(port, "127.0.0.1").map(s -> Relayed.hold(s, Unpooled.EMPTY_BUFFER)));
    }

    /** Runs {@code action} on loop 0, where the held connection lives. */
    private <T> T onLoop(Supplier<T> action) throws Exception {
        return EventLoops.on(vertx, loop(0), () -> Future.succeededFuture(action.get()));
    }

    private static void copy(ByteBuf data, ByteArrayOutputStream to) {
        byte[] bytes = new byte[data.readableBytes()];
        data.readBytes(bytes);
        data.release();
        to.writeBytes(bytes);
    }
}
