package io.tunneld.testsupport;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.impl.VertxInternal;

/**
 * Vert.x for tests that place connections on chosen event loops: what tunneld's
 * cross-thread paths need to be exercised, which a single context never shows.
 */
public final class EventLoops {

    private EventLoops() {
    }

    /** A context of {@code vertx} running on {@code loop}. */
    public static ContextInternal contextOn(Vertx vertx, EventLoop loop) {
        VertxInternal internal = (VertxInternal) vertx;
        return internal.createEventLoopContext(loop, internal.getWorkerPool(),
                Thread.currentThread().getContextClassLoader());
    }

    /** The event loops of {@code vertx}, in its own order. */
    public static List<EventLoop> of(Vertx vertx) {
        List<EventLoop> loops = new ArrayList<>();
        for (EventExecutor loop : ((VertxInternal) vertx).nettyEventLoopGroup()) {
            loops.add((EventLoop) loop);
        }
        return loops;
    }

    /**
     * Runs {@code action} on a context of {@code loop}, so that what it opens (a server's
     * connections, a client connection) lives on that loop, and returns its result.
     */
    public static <T> T on(Vertx vertx, EventLoop loop, Supplier<Future<T>> action) throws Exception {
        Promise<T> result = Promise.promise();
        contextOn(vertx, loop).runOnContext(v -> action.get().onComplete(result));
        return await(result.future());
    }

    /** The future's result, waiting up to 5 s. */
    public static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
}
