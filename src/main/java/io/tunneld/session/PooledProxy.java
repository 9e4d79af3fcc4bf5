package io.tunneld.session;

import io.tunneld.protocol.StartProxy;
import io.tunneld.tunnel.ProxyConnection;
import io.vertx.core.Future;

/**
 * A proxy connection in a session's pool: connected to this replica, or parked on another
 * replica of the cluster for this one to hand out.
 */
public interface PooledProxy {

    /**
     * Where it is: its event loop when connected here, else the id of the replica parking it.
     * A public connection at the same place is joined without crossing threads or replicas.
     */
    Object place();

    /** Whether it can still carry a public connection, as far as this replica knows. */
    boolean isOpen();

    /** Runs {@code onGone} once if it becomes unusable while idle: closed, or data came. */
    void whenGone(Runnable onGone);

    /**
     * Makes it the proxy of one public connection; call on that connection's context. Fails
     * if it went away meanwhile.
     */
    Future<ProxyConnection> open(StartProxy start);

    /** Closes it: surplus, stale, or its session ended. */
    void close();
}
