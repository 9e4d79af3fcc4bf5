package io.tunneld.cluster;

import java.time.Duration;

import io.tunneld.protocol.StartProxy;
import io.tunneld.tunnel.ProxyConnection;
import io.tunneld.tunnel.ProxySource;
import io.vertx.core.Context;
import io.vertx.core.Promise;

/**
 * A session held by another replica, as the source of proxies for its tunnels' public
 * connections arriving here: that replica's pool picks a proxy, preferably one parked here,
 * and this replica joins it or claims it where it is parked.
 */
final class RemoteSession implements ProxySource {

    private final String owner;
    private final String clientId;
    private final ProxyBroker broker;

    RemoteSession(String owner, String clientId, ProxyBroker broker) {
        this.owner = owner;
        this.clientId = clientId;
        this.broker = broker;
    }

    @Override
    public String clientId() {
        return clientId;
    }

    @Override
    public Runnable acquire(Context caller, StartProxy start, Duration timeout, Promise<ProxyConnection> promise) {
        return broker.want(owner, clientId, caller, start, timeout, promise);
    }

    @Override
    public void giveBack(ProxyConnection proxy) {
        broker.giveBack(owner, clientId, proxy);
    }
}
