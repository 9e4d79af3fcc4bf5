package io.tunneld.cluster;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;

/**
 * Proxy connections parked on this replica for another replica to claim by handle: those
 * a client opened here for a session held elsewhere (its owner is told, and counts them in
 * its pool), and this replica's own proxies granted to another replica's public connection.
 * A parked proxy carries nothing until it is claimed; data or a close before that makes it
 * unusable, and its owner is told it is gone.
 */
final class HostedProxies {

    /** Told when a parked proxy goes away unclaimed. */
    interface Gone {
        void gone(String owner, String clientId, String handle);
    }

    private record Parked(NetSocket socket, String clientId, String owner, long timer) {
    }

    private final Vertx vertx;
    private final Gone onGone;
    private final Map<String, Parked> byHandle = new ConcurrentHashMap<>();
    private final Handles handles = new Handles();

    HostedProxies(Vertx vertx, Gone onGone) {
        this.vertx = vertx;
        this.onGone = onGone;
    }

    /**
     * Parks a proxy of session {@code clientId}, whose pool is on replica {@code owner};
     * returns its handle. If {@code claimWithinMillis} is positive and nobody claims it in
     * that time, it is closed (a grant whose claimer died).
     */
    String park(NetSocket proxy, String clientId, String owner, long claimWithinMillis) {
        String handle = handles.next();
        long timer = claimWithinMillis > 0 ? vertx.setTimer(claimWithinMillis, t -> drop(handle)) : -1;
        byHandle.put(handle, new Parked(proxy, clientId, owner, timer));
        proxy.handler(data -> lost(handle));
        proxy.closeHandler(v -> lost(handle));
        return handle;
    }

    /** Takes the proxy parked under {@code handle}, or null if it is gone. */
    NetSocket claim(String handle) {
        Parked parked = byHandle.remove(handle);
        if (parked == null) {
            return null;
        }
        vertx.cancelTimer(parked.timer());
        return parked.socket();
    }

    /** Closes the proxy parked under {@code handle}, if still there, without telling its owner. */
    void drop(String handle) {
        NetSocket socket = claim(handle);
        if (socket != null) {
            socket.close();
        }
    }

    /** Closes every proxy parked for replica {@code owner} (it left or died). */
    void dropOwner(String owner) {
        byHandle.forEach((handle, parked) -> {
            if (parked.owner().equals(owner)) {
                drop(handle);
            }
        });
    }

    /**
     * Closes the proxies parked for session {@code clientId} of {@code owner}: it ended
     * there. Its owner is told, in case its pool still counts them.
     */
    void dropEnded(String clientId, String owner) {
        byHandle.forEach((handle, parked) -> {
            if (parked.clientId().equals(clientId) && parked.owner().equals(owner)) {
                lost(handle);
            }
        });
    }

    /**
     * Closes the proxies parked for session {@code clientId} for any replica but
     * {@code owner}: the session moved there, and their pool is gone with the old session
     * (which is told, in case it still counts them).
     */
    void dropMoved(String clientId, String owner) {
        byHandle.forEach((handle, parked) -> {
            if (parked.clientId().equals(clientId) && !parked.owner().equals(owner)) {
                lost(handle);
            }
        });
    }

    /** Proxies parked here now. */
    int size() {
        return byHandle.size();
    }

    private void lost(String handle) {
        Parked parked = byHandle.remove(handle);
        if (parked != null) {
            vertx.cancelTimer(parked.timer());
            parked.socket().close();
            onGone.gone(parked.owner(), parked.clientId(), handle);
        }
    }
}
