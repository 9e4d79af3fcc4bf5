package io.tunneld.tunnel;

import java.time.Duration;

import io.tunneld.protocol.StartProxy;
import io.vertx.core.Context;
import io.vertx.core.Promise;

/**
 * What serves a tunnel's public connections: the session that opened it, on this replica or
 * on another one. The data path sees only this.
 */
public interface ProxySource {

    /** The ClientId of the session serving the tunnel. */
    String clientId();

    /**
     * A proxy connection for a public connection arriving on {@code caller}'s context, within
     * {@code timeout}; completes {@code promise} on that context.
     *
     * @param start what the client will be told of the public connection
     * @return what to run if the public connection leaves before the proxy comes
     */
    Runnable acquire(Context caller, StartProxy start, Duration timeout, Promise<ProxyConnection> promise);

    /** A proxy that was acquired but not used: its public peer went away first. */
    void giveBack(ProxyConnection proxy);
}
