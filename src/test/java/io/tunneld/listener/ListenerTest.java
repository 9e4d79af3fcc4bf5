package io.tunneld.listener;

import static io.tunneld.testsupport.EventLoops.await;
import static io.tunneld.testsupport.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.tunneld.testsupport.EventLoops;
import io.tunneld.testsupport.VertxTest;
import io.vertx.core.Context;
import io.vertx.core.net.NetServerOptions;

/** A listener takes connections on every event loop it was given, also on a random port. */
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

    private List<Context> twoEventLoopContexts() {
        return List.of(EventLoops.contextOn(vertx, loop(0)), EventLoops.contextOn(vertx, loop(1)));
    }
}
