package io.tunneld.listener;

import static io.tunneld.testsupport.EventLoops.await;
import static io.tunneld.testsupport.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.netty.channel.EventLoop;
import io.tunneld.proxy.ProxyJoin;
import io.tunneld.testsupport.EventLoops;
import io.tunneld.testsupport.VertxTest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.ConnectionBase;

/** A listener takes connections on every event loop it was given, also on a random port, and stops cleanly. */
class ListenerTest extends VertxTest {

    @Test
    void everyEventLoopTakesConnectionsOnOneRandomPort() throws Exception {
        Set<Thread> servedOn = ConcurrentHashMap.newKeySet();
        AtomicInteger accepted = new AtomicInteger();
        Listener listener = new Listener("test", new NetServerOptions().setHost("127.0.0.1").setPort(0), socket -> {
            servedOn.add(Thread.currentThread());
            accepted.incrementAndGet();
            socket.close();
        });
        await(listener.start(vertx, twoEventLoopContexts()));
        assertTrue(listener.isBound(), "bound: " + listener.failure());

        for (int i = 0; i < 4; i++) {
            new Socket(InetAddress.getLoopbackAddress(), listener.port()).close();
        }
        eventually(() -> accepted.get() == 4);
        assertEquals(2, servedOn.size(), "connections spread over both loops: " + servedOn);
    }

    /**
     * A stop must end only once the connections its listener accepted are closed and their
     * close handlers have run: the server stops its event loops right after, and a relay's
     * close handler that runs then closes its other side through a loop that may have ended
     * (RejectedExecutionException: event executor terminated). Here the public side's loop is
     * busy when the stop begins, for up to 500 ms or until the stop has ended.
     */
    @Test
    void aStopEndsOnlyOnceTheConnectionsItAcceptedAreClosed() throws Exception {
        EventLoop publicLoop = loop(0);
        EventLoop proxyLoop = loop(1);
        CompletableFuture<NetSocket> publicAccepted = new CompletableFuture<>();
        CompletableFuture<NetSocket> proxyAccepted = new CompletableFuture<>();
        Listener http = new Listener("http", new NetServerOptions().setHost("127.0.0.1").setPort(0), publicAccepted::complete);
        Listener tunnel = new Listener("tunnel", new NetServerOptions().setHost("127.0.0.1").setPort(0), proxyAccepted::complete);
        await(http.start(vertx, List.of(EventLoops.contextOn(vertx, publicLoop))));
        await(tunnel.start(vertx, List.of(EventLoops.contextOn(vertx, proxyLoop))));
        try (Socket visitor = new Socket(InetAddress.getLoopbackAddress(), http.port());
                Socket client = new Socket(InetAddress.getLoopbackAddress(), tunnel.port())) {
            NetSocket publicSide = publicAccepted.get(5, TimeUnit.SECONDS);
            NetSocket proxy = proxyAccepted.get(5, TimeUnit.SECONDS);
            EventLoops.on(vertx, publicLoop, () -> {
                ProxyJoin.relay(publicSide, proxy, n -> { });
                ProxyJoin.relay(proxy, publicSide, n -> { });
                return Future.succeededFuture();
            });

            CountDownLatch stopEnded = new CountDownLatch(1);
            EventLoops.contextOn(vertx, publicLoop).runOnContext(v -> {
                try {
                    stopEnded.await(500, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            CompletableFuture<String> leftOpen = new CompletableFuture<>();
            Future.join(http.stop(), tunnel.stop()).onComplete(v -> {
                leftOpen.complete(Stream.of(publicSide, proxy).filter(s -> !((ConnectionBase) s).closeFuture().isComplete())
                        .map(s -> s == publicSide ? "public side" : "proxy").collect(Collectors.joining(", ")));
                stopEnded.countDown();
            });
            assertEquals("", leftOpen.get(5, TimeUnit.SECONDS), "still open when the stop ended");
        }
    }

    private List<Context> twoEventLoopContexts() {
        return List.of(EventLoops.contextOn(vertx, loop(0)), EventLoops.contextOn(vertx, loop(1)));
    }
}
