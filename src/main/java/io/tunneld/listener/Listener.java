package io.tunneld.listener;

import java.util.ArrayList;
import java.util.List;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;

/**
 * One named listening socket and what became of it: bound (on which port) or failed (why).
 * It is served by one server instance per event loop (Vert.x shares the port and spreads
 * connections among them), so every core takes connections.
 */
public final class Listener {

    private final String name;
    private final NetServerOptions options;
    private final Handler<NetSocket> handler;
    private final List<NetServer> servers = new ArrayList<>();
    private volatile int port = -1;
    private volatile String failure;

    Listener(String name, NetServerOptions options, Handler<NetSocket> handler) {
        this.name = name;
        this.options = options;
        this.handler = handler;
    }

    /** tunnel, http or https. */
    public String name() {
        return name;
    }

    /** Configured address. */
    public String host() {
        return options.getHost();
    }

    /** Bound port (the real one when configured as 0), or -1 when not bound. */
    public int port() {
        return port;
    }

    /** Whether it is accepting connections. */
    public boolean isBound() {
        return port > 0;
    }

    /** Why it could not bind, or null. */
    public String failure() {
        return failure;
    }

    /**
     * Binds one instance per context, the first resolving port 0 and the others sharing
     * its port.
     */
    Future<Void> start(Vertx vertx, List<Context> contexts) {
        return listenOn(vertx, contexts.get(0), new NetServerOptions(options)).compose(first -> {
            port = first;
            List<Future<Integer>> others = new ArrayList<>();
            for (Context context : contexts.subList(1, contexts.size())) {
                others.add(listenOn(vertx, context, new NetServerOptions(options).setPort(first)));
            }
            return Future.join(others).<Void>mapEmpty();
        }).onFailure(e -> failure = e.getMessage());
    }

    Future<Void> stop() {
        port = -1;
        List<Future<Void>> closing;
        synchronized (servers) {
            closing = servers.stream().map(NetServer::close).toList();
            servers.clear();
        }
        return Future.join(closing).mapEmpty();
    }

    /** Listens from the context, so this instance's connections live on its event loop. */
    private Future<Integer> listenOn(Vertx vertx, Context context, NetServerOptions instanceOptions) {
        Promise<Integer> bound = Promise.promise();
        context.runOnContext(v -> {
            NetServer server = vertx.createNetServer(instanceOptions).connectHandler(handler);
            server.listen().onSuccess(s -> {
                synchronized (servers) {
                    servers.add(s);
                }
                bound.complete(s.actualPort());
            }).onFailure(bound::fail);
        });
        return bound.future();
    }
}
