package io.tunneld.proxy;

import static io.tunneld.testsupport.EventLoops.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import io.tunneld.testsupport.Interposed;
import io.tunneld.testsupport.VertxTest;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketInternal;

/**
 * {@link ProxyJoin#relay} when the two sides live on different event loops, as a public
 * connection and its proxy often do: the output can drain, and run its drain handler,
 * between the relay's "queue full?" and its pause. The test plays that interleaving
 * exactly (the drain handler runs inside the first "full" answer); the relay must read on.
 */
class ProxyJoinRelayTest extends VertxTest {

    @Test
    void aDrainBetweenTheCheckAndThePauseDoesNotStopTheRelay() throws Exception {
        CompletableFuture<NetSocket> sourceSide = new CompletableFuture<>();
        NetServer source = await(vertx.createNetServer().connectHandler(sourceSide::complete).listen(0, "127.0.0.1"));
        Buffer arrived = Buffer.buffer();
        CompletableFuture<String> both = new CompletableFuture<>();
        NetServer sink = await(vertx.createNetServer().connectHandler(socket -> socket.handler(data -> {
            arrived.appendBuffer(data);
            if (arrived.length() == "firstsecond".length()) {
                both.complete(arrived.toString());
            }
        })).listen(0, "127.0.0.1"));

        ContextInternal context = ((VertxInternal) vertx).createEventLoopContext();
        CompletableFuture<Void> relaying = new CompletableFuture<>();
        context.runOnContext(v -> vertx.createNetClient().connect(source.actualPort(), "127.0.0.1")
                .compose(from -> vertx.createNetClient().connect(sink.actualPort(), "127.0.0.1").onSuccess(to -> {
                    ProxyJoin.relay(from, drainsDuringFirstFullCheck((NetSocketInternal) to), n -> {
                    });
                    relaying.complete(null);
                })).onFailure(relaying::completeExceptionally));
        relaying.get(5, TimeUnit.SECONDS);

        NetSocket writer = sourceSide.get(5, TimeUnit.SECONDS);
        writer.write("first");
        Thread.sleep(200); // read and relayed alone, so that "second" is a read of its own
        writer.write("second");
        assertEquals("firstsecond", both.get(5, TimeUnit.SECONDS), "the relay reads on after the pause");
    }

    /**
     * {@code real} as the relay sees it, except that its first "queue full?" answers yes after
     * running the drain handler, as if the other loop had drained the queue meanwhile.
     */
    private static NetSocketInternal drainsDuringFirstFullCheck(NetSocketInternal real) {
        AtomicReference<Handler<Void>> drain = new AtomicReference<>();
        AtomicBoolean first = new AtomicBoolean(true);
        return Interposed.netSocket(real, (method, args, proceed) -> {
            if (method.getName().equals("writeQueueFull") && first.getAndSet(false)) {
                drain.get().handle(null);
                return true;
            }
            if (method.getName().equals("drainHandler")) {
                @SuppressWarnings("unchecked")
                Handler<Void> handler = (Handler<Void>) args[0];
                drain.set(handler);
            }
            return proceed.call();
        });
    }
}
