package io.tunneld.listener;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.tunneld.config.TunneldConfig;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.impl.VertxInternal;

/**
 * The event loops that take tunneld's connections: one context on each, one loop per core
 * unless {@code tunneld.event-loops} says otherwise, the same loops for every listener (the
 * tunnel port, public HTTP and HTTPS, and each TCP tunnel's port). A public connection and a
 * proxy accepted on one loop can then be joined without handing bytes between threads.
 */
@ApplicationScoped
public class ServingLoops {

    private final List<Context> contexts;

    public ServingLoops(TunneldConfig config, Vertx vertx) {
        VertxInternal internal = (VertxInternal) vertx;
        int wanted = Math.max(1, config.eventLoops().orElse(Runtime.getRuntime().availableProcessors()));
        List<Context> made = new ArrayList<>();
        for (EventExecutor loop : internal.nettyEventLoopGroup()) {
            if (made.size() == wanted) {
                break;
            }
            // A context made here, not taken from a thread: one from a non-Vert.x thread would
            // be the same sticky one every time.
            made.add(internal.createEventLoopContext((EventLoop) loop, internal.getWorkerPool(),
                    Thread.currentThread().getContextClassLoader()));
        }
        this.contexts = List.copyOf(made);
    }

    /** One context per serving event loop. */
    public List<Context> contexts() {
        return contexts;
    }
}
