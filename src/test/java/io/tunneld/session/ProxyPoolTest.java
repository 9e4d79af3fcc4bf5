package io.tunneld.session;

import static io.tunneld.testsupport.EventLoops.await;
import static io.tunneld.testsupport.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.netty.channel.EventLoop;
import io.tunneld.testsupport.EventLoops;
import io.tunneld.testsupport.VertxTest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketInternal;

/**
 * The pool driven directly with real loopback connections as proxies: a burst asks for
 * several proxies at once within the per-client limit, quiet sweeps shrink it back, a proxy
 * goes to a public connection on its own event loop where one waits, and a session in use
 * keeps a spare on each loop.
 */
class ProxyPoolTest extends VertxTest {

    private static final int LIMIT = 10;
    private static final Duration LONG = Duration.ofMinutes(1);

    /** Two event loops of {@code vertx}. */
    private EventLoop x;
    private EventLoop y;
    /** Proxies the pool closed, as seen from the other end. */
    private final AtomicInteger closedByPool = new AtomicInteger();

    @BeforeEach
    void loops() {
        x = loop(0);
        y = loop(1);
    }

    @Test
    void aBurstAsksForSeveralProxiesAtOnceAndQuietSweepsShrinkThePoolBack() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        ProxyPool pool = new ProxyPool(vertx, asked::incrementAndGet, LIMIT, LONG);
        pool.prime();
        assertEquals(1, asked.get(), "one spare asked for at the start");

        Context context = vertx.getOrCreateContext();
        List<Promise<PooledProxy>> waiting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Promise<PooledProxy> promise = Promise.promise();
            acquire(pool, context, promise);
            waiting.add(promise);
        }
        // 1.x would have asked for one per use (4 in all); the burst doubles the spares.
        assertEquals(LIMIT, asked.get(), "three waiters, no proxy: several requests at once, up to the limit");

        List<NetSocket> proxies = proxiesOn(x, LIMIT);
        for (NetSocket proxy : proxies) {
            pool.registered(new LocalProxy(proxy));
        }
        for (Promise<PooledProxy> promise : waiting) {
            await(promise.future());
        }
        // 3 in use, 7 parked. The first sweep follows the burst and keeps them; each later quiet
        // sweep halves the spare target (8, 4, 2, 1) and closes the surplus.
        for (int i = 0; i < 5; i++) {
            pool.sweep(LONG, false);
        }
        afterQueuedTasks(x);
        assertEquals(4, openCount(proxies), "one spare kept, the three in use untouched");
        eventually(() -> closedByPool.get() == 6);
    }

    @Test
    void aProxyGoesToAWaiterOnItsOwnEventLoopBeforeAnOlderOneElsewhere() throws Exception {
        ProxyPool pool = new ProxyPool(vertx, () -> { }, LIMIT, LONG);
        NetSocket proxy = proxiesOn(x, 1).get(0);
        Promise<PooledProxy> olderElsewhere = Promise.promise();
        Promise<PooledProxy> onProxyLoop = Promise.promise();
        acquire(pool, EventLoops.contextOn(vertx, y), olderElsewhere);
        acquire(pool, EventLoops.contextOn(vertx, x), onProxyLoop);

        pool.registered(new LocalProxy(proxy));
        assertSame(proxy, socketOf(await(onProxyLoop.future())), "joined without a thread hand-off");
        assertFalse(olderElsewhere.future().isComplete(), "the older waiter waits for the next proxy");
    }

    @Test
    void aSessionInUseKeepsASpareOnEachLoopAndClosesSurplusWhereALoopHasSeveral() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        ProxyPool pool = new ProxyPool(vertx, asked::incrementAndGet, LIMIT, LONG);
        pool.prime();
        List<NetSocket> onX = proxiesOn(x, 3);
        NetSocket onY = proxiesOn(y, 1).get(0);
        pool.registered(new LocalProxy(onX.get(0)));
        pool.registered(new LocalProxy(onY));

        Promise<PooledProxy> first = Promise.promise();
        acquire(pool, EventLoops.contextOn(vertx, x), first);
        assertSame(onX.get(0), socketOf(await(first.future())));
        assertEquals(2, asked.get(), "one spare left on y, one more asked for so x has one too");

        // The client's answer lands on x again, and one more arrives there: x has two, y one.
        pool.registered(new LocalProxy(onX.get(1)));
        pool.registered(new LocalProxy(onX.get(2)));
        // Two spares wanted after use: the surplus goes where a loop has two, older first.
        pool.sweep(LONG, false);
        eventually(() -> !isOpen(onX.get(1)));
        assertTrue(isOpen(onY), "the only spare on y is kept");
        assertTrue(isOpen(onX.get(2)), "one spare on x is kept");

        // A quiet interval: back to one spare.
        pool.sweep(LONG, false);
        afterQueuedTasks(x, y);
        assertEquals(1, openCount(List.of(onY, onX.get(2))));
    }

    @Test
    void aConnectionFindingASpareOnlyOnAnotherLoopTakesItAtOnceAndMoreAreAskedFor() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        ProxyPool pool = new ProxyPool(vertx, asked::incrementAndGet, LIMIT, LONG);
        pool.prime();
        NetSocket onX = proxiesOn(x, 1).get(0);
        pool.registered(new LocalProxy(onX));

        Promise<PooledProxy> onY = Promise.promise();
        acquire(pool, EventLoops.contextOn(vertx, y), onY);
        assertSame(onX, socketOf(onY.future().result()), "no waiting for a handshake");
        // As a burst: the spare target doubles (1 to 2), and both are asked for.
        assertEquals(3, asked.get(), "the first, then two spares");
    }

    @Test
    void noProxyIsHandedToAWaiterAfterThePoolClosed() throws Exception {
        ProxyPool pool = new ProxyPool(vertx, () -> { }, LIMIT, LONG);
        NetSocket proxy = proxiesOn(x, 1).get(0);
        Promise<PooledProxy> waiting = Promise.promise();
        acquire(pool, EventLoops.contextOn(vertx, y), waiting);

        // The waiter's loop is busy while the proxy comes and the session closes: the proxy's
        // hand-over reaches the waiter's loop only after close().
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        EventLoops.contextOn(vertx, y).runOnContext(v -> {
            busy.countDown();
            try {
                done.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(busy.await(5, TimeUnit.SECONDS));
        pool.registered(new LocalProxy(proxy));
        pool.close();
        done.countDown();

        ExecutionException failed = assertThrows(ExecutionException.class, () -> await(waiting.future()));
        assertEquals("client session closed", failed.getCause().getMessage());
        eventually(() -> closedByPool.get() == 1);
    }

    @Test
    void aProxyThatClosedBeforeItWasPlacedIsNotParked() throws Exception {
        ProxyPool pool = new ProxyPool(vertx, () -> { }, LIMIT, LONG);
        NetSocket proxy = proxiesOn(x, 1).get(0);
        proxy.close();
        eventually(() -> !isOpen(proxy));

        // As a proxy returned unused from a public connection's loop, closed on its own meanwhile.
        pool.place(new LocalProxy(proxy));
        Promise<PooledProxy> promise = Promise.promise();
        acquire(pool, EventLoops.contextOn(vertx, x), promise);
        assertFalse(promise.future().isComplete(), "no dead proxy handed out: the connection waits for a live one");
    }

    @Test
    void aWaiterOnAnotherReplicaGetsAProxyParkedThereBeforeOneParkedHere() throws Exception {
        ProxyPool pool = new ProxyPool(vertx, () -> { }, LIMIT, LONG);
        pool.registered(new LocalProxy(proxiesOn(x, 1).get(0)));
        PooledProxy parkedOnB = new Elsewhere("replica-b");
        pool.registered(parkedOnB);

        Promise<PooledProxy> fromB = Promise.promise();
        pool.acquire(vertx.getOrCreateContext(), "replica-b", LONG, fromB);
        assertSame(parkedOnB, await(fromB.future()), "joined on replica b, no hop");
    }

    /** A proxy parked on another replica, as the pool sees it. */
    private record Elsewhere(String replica) implements PooledProxy {
        @Override
        public Object place() {
            return replica;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void whenGone(Runnable onGone) {
        }

        @Override
        public io.vertx.core.Future<io.tunneld.tunnel.ProxyConnection> open(io.tunneld.protocol.StartProxy start) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
        }
    }

    /** Acquires for a public connection on {@code context}'s event loop. */
    private static void acquire(ProxyPool pool, Context context, Promise<PooledProxy> promise) {
        pool.acquire(context, ((ContextInternal) context).nettyEventLoop(), LONG, promise);
    }

    private static NetSocket socketOf(PooledProxy proxy) {
        return ((LocalProxy) proxy).socket();
    }

    /**
     * Returns once each loop has run the tasks queued on it so far: the pool closes a proxy from
     * the caller's thread by queueing the close on the proxy's loop, so after this every close
     * a sweep made has taken effect, and a proxy still open was kept.
     */
    private void afterQueuedTasks(EventLoop... loops) throws Exception {
        for (EventLoop loop : loops) {
            EventLoops.on(vertx, loop, () -> Future.succeededFuture());
        }
    }

    private static boolean isOpen(NetSocket socket) {
        return ((NetSocketInternal) socket).channelHandlerContext().channel().isActive();
    }

    private static int openCount(List<NetSocket> sockets) {
        return (int) sockets.stream().filter(ProxyPoolTest::isOpen).count();
    }

    /** n loopback connections whose server sides (in accept order) live on {@code loop}. */
    private List<NetSocket> proxiesOn(EventLoop loop, int n) throws Exception {
        List<NetSocket> accepted = new CopyOnWriteArrayList<>();
        NetServer server = EventLoops.on(vertx, loop,
                () -> vertx.createNetServer().connectHandler(accepted::add).listen(0, "127.0.0.1"));
        for (int i = 0; i < n; i++) {
            await(vertx.createNetClient().connect(server.actualPort(), "127.0.0.1"))
                    .closeHandler(v -> closedByPool.incrementAndGet());
        }
        eventually(() -> accepted.size() >= n);
        return List.copyOf(accepted);
    }
}
