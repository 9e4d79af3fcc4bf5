package io.tunneld.listener;

import static io.tunneld.testsupport.EventLoops.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.tunneld.testsupport.EventLoops;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServerOptions;

/** A listener takes connections on every event loop it was given, also on a random port. */
class ListenerTest {

    private Vertx vertx;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stop() throws Exception {
        await(vertx.close());
    }

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
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (accepted.get() < 4 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(4, accepted.get());
        assertEquals(2, servedOn.size(), "connections spread over both loops: " + servedOn);
    }

    private List<Context> twoEventLoopContexts() {
        return EventLoops.of(vertx).stream().limit(2).<Context>map(loop -> EventLoops.contextOn(vertx, loop)).toList();
    }
}
