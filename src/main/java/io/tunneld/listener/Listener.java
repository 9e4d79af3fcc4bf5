package io.tunneld.listener;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * One named listening socket and what became of it: bound (on which port) or failed (why).
 * It is served by one server instance per event loop (Vert.x shares the port and spreads
 * connections among them), so every core takes connections. It knows the connections it
 * accepted until they close, so that a stop can wait for them.
 */
public final class Listener {

    /** Negative ports under which Vert.x shares a random port: one per listener. */
    private static final AtomicInteger RANDOM_PORT_KEYS = new AtomicInteger();

    private final String name;
    private final NetServerOptions options;
    private final Handler<NetSocket> handler;
    private final List<NetServer> servers = new ArrayList<>();
    private final Set<NetSocket> accepted = ConcurrentHashMap.newKeySet();
    private volatile int port = -1;
    private volatile boolean refusing;
    private volatile String failure;

    public Listener(String name, NetServerOptions options, Handler<NetSocket> handler) {
        this.name = name;
        this.options = options;
        this.handler = handler;
    }

    /** tunnel, http, https, or tcp PORT. */
    public String name() {
        return name;
    }

    /** Configured address. */
    public String host() {
        return options.getHost();
    }

    /** Configured port (0: any free one). */
    public int configuredPort() {
        return options.getPort();
    }

    /** Bound port (the real one when configured as 0), or -1 when not bound. */
    public int port() {
        return port;
    }

    /** Whether it is accepting connections. */
    public boolean isBound() {
        return port > 0;
    }

    /** Why it could not start (the port is taken, its certificate files cannot be served), or null. */
    public String failure() {
        return failure;
    }

    /**
     * Binds one instance per context on one shared socket. Vert.x shares a socket among
     * servers of the same host and port, but gives each server asked for port 0 a port of its
     * own; a negative port asks for a random port shared by all servers given that number,
     * so each listener asked for port 0 gets a number of its own. If any instance fails,
     * those that bound are closed again: the listener is either whole or down, as readiness
     * reports it.
     */
    public Future<Void> start(Vertx vertx, List<Context> contexts) {
        NetServerOptions shared = new NetServerOptions(options);
        if (shared.getPort() == 0) {
            shared.setPort(RANDOM_PORT_KEYS.decrementAndGet());
        }
        List<Future<Integer>> instances = contexts.stream().map(c -> listenOn(vertx, c, shared)).toList();
        return Future.join(instances).onSuccess(v -> port = instances.get(0).result()).<Void>mapEmpty()
                .recover(e -> {
                    failure = e.getMessage();
                    return stop().compose(v -> Future.failedFuture(e));
                });
    }

    /**
     * Closes every new connection at once from now, and keeps those accepted: how a stopping
     * server stops taking work while what it has finishes. (Closing the server would close
     * those too, as Vert.x closes a server's connections with it.)
     */
    public void refuseNew() {
        refusing = true;
    }

    /** Connections accepted and not closed yet, whatever became of them: what a stop waits for. */
    public int open() {
        return accepted.size();
    }

    /**
     * Closes every instance and every connection it accepted, and completes once they are
     * closed and their close handlers have run. Vert.x closes the connections of a server it
     * closes but does not wait for them; at a server stop, a close handler left to run while
     * the event loops stop (a relay closing its other side on another loop) reaches into a
     * loop that has ended.
     */
    public Future<Void> stop() {
        port = -1;
        List<Future<Void>> closing;
        synchronized (servers) {
            closing = servers.stream().map(NetServer::close).toList();
            servers.clear();
        }
        return Future.join(closing).transform(v -> Future.join(accepted.stream().map(socket -> {
            socket.close();
            return ((ConnectionBase) socket).closeFuture();
        }).toList())).mapEmpty();
    }

    /** Listens from the context, so this instance's connections live on its event loop. */
    private Future<Integer> listenOn(Vertx vertx, Context context, NetServerOptions instanceOptions) {
        Promise<Integer> bound = Promise.promise();
        context.runOnContext(v -> {
            NetServer server = vertx.createNetServer(instanceOptions).connectHandler(socket -> {
                if (refusing) {
                    socket.close();
                    return;
                }
                accepted.add(socket);
                // After the close handlers: they were set up first, when the connection was made.
                ((ConnectionBase) socket).closeFuture().onComplete(closed -> accepted.remove(socket));
                handler.handle(socket);
            });
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
