package io.tunneld.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import io.netty.channel.EventLoop;
import io.tunneld.testsupport.EventLoops;
import io.tunneld.testsupport.Interposed;
import io.tunneld.testsupport.VertxTest;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketInternal;

/**
 * {@link ProxyJoin#start} with the public connection and the proxy on different event loops,
 * and the proxy's loop acting while the public loop joins: the client's answer arrives (the
 * test holds the public loop inside the proxy's write for long enough that the answer is in
 * before the join goes on; it must still reach the public side), or the proxy closes before
 * the join's close handlers are on it (the public side must be closed too).
 */
class ProxyJoinStartTest extends VertxTest {

    @Test
    void anAnswerThatComesAtOnceOnTheProxysLoopReachesThePublicSide() throws Exception {
        // The client end answers as soon as StartProxy (here "start") arrives.
        NetSocket proxy = proxyTo(socket -> socket.handler(data -> socket.write("answer")));
        Buffer lost = Buffer.buffer();
        proxy.handler(lost::appendBuffer); // as the pool leaves an idle proxy

        try (Socket visitor = visitorJoinedTo(answeredDuringWrite((NetSocketInternal) proxy))) {
            InputStream in = visitor.getInputStream();
            assertEquals("answer", new String(in.readNBytes("answer".length()), StandardCharsets.US_ASCII));
            assertEquals("", lost.toString(), "nothing went to the idle handler");
        }
    }

    @Test
    void aProxyThatClosesOnItsLoopAfterItWasTakenClosesThePublicSide() throws Exception {
        NetSocket proxy = proxyTo(socket -> { });
        proxy.closeHandler(v -> { }); // as the pool leaves an idle proxy: its close is the pool's business

        try (Socket visitor = visitorJoinedTo(closedOnItsLoopFirst((NetSocketInternal) proxy))) {
            assertEquals(-1, visitor.getInputStream().read(), "the visitor is not left joined to nothing");
        }
    }

    /**
     * A proxy connection on the second event loop, its client end there too (the public
     * side's loop will be busy) and served by {@code clientEnd}.
     */
    private NetSocket proxyTo(Handler<NetSocket> clientEnd) throws Exception {
        NetServer client = EventLoops.on(vertx, loop(1), () -> vertx.createNetServer()
                .connectHandler(clientEnd).listen(0, "127.0.0.1"));
        return EventLoops.on(vertx, loop(1), () -> vertx.createNetClient().connect(client.actualPort(), "127.0.0.1"));
    }

    /** A visitor's connection, on the first event loop, joined to {@code proxy} by {@link ProxyJoin#start}. */
    private Socket visitorJoinedTo(NetSocketInternal proxy) throws Exception {
        EventLoop publicLoop = loop(0);
        CompletableFuture<NetSocket> accepted = new CompletableFuture<>();
        NetServer publicPort = EventLoops.on(vertx, publicLoop, () -> vertx.createNetServer().connectHandler(socket -> {
            ProxyJoin.hold(socket);
            accepted.complete(socket);
        }).listen(0, "127.0.0.1"));
        Socket visitor = new Socket(InetAddress.getLoopbackAddress(), publicPort.actualPort());
        visitor.setSoTimeout(5000);
        NetSocket publicSide = accepted.get(5, TimeUnit.SECONDS);
        EventLoops.on(vertx, publicLoop, () -> {
            ProxyJoin.start(publicSide, proxy, Buffer.buffer("start"), n -> { }, n -> { });
            return Future.succeededFuture();
        });
        return visitor;
    }

    /**
     * {@code real}, except that the first thing the join does with it, the proxy closes on its
     * own loop (the client went away), and its close handler (still the pool's) has run.
     */
    private static NetSocketInternal closedOnItsLoopFirst(NetSocketInternal real) {
        AtomicBoolean first = new AtomicBoolean(true);
        return Interposed.netSocket(real, (method, args, proceed) -> {
            if (first.getAndSet(false)) {
                real.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            }
            return proceed.call();
        });
    }

    /**
     * {@code real}, except that a write returns only after 200 ms: time for the other end's
     * answer to arrive on the proxy's own loop before the join goes on.
     */
    private static NetSocketInternal answeredDuringWrite(NetSocketInternal real) {
        return Interposed.netSocket(real, (method, args, proceed) -> {
            Object result = proceed.call();
            if (method.getName().equals("write")) {
                Thread.sleep(200);
            }
            return result;
        });
    }
}
