package io.tunneld.session;

import io.vertx.core.net.NetSocket;

/**
 * What becomes of a proxy connection registered for a session this replica does not hold:
 * closed on a single node; in a cluster, parked here for the replica that holds the session.
 */
public interface ForeignProxies {

    /** Takes {@code proxy}, which named session {@code clientId} in its {@code RegProxy}. */
    void offer(String clientId, NetSocket proxy);
}
