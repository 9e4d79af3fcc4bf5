package io.tunneld.listener;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;

/** One named listening socket and what became of it: bound (on which port) or failed (why). */
public final class Listener {

    private final String name;
    private final NetServerOptions options;
    private final Handler<NetSocket> handler;
    private volatile NetServer server;
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

    Future<Void> start(Vertx vertx) {
        NetServer created = vertx.createNetServer(options).connectHandler(handler);
        return created.listen().onSuccess(s -> {
            server = s;
            port = s.actualPort();
        }).onFailure(e -> failure = e.getMessage()).mapEmpty();
    }

    Future<Void> stop() {
        NetServer s = server;
        port = -1;
        server = null;
        return s == null ? Future.succeededFuture() : s.close();
    }
}
