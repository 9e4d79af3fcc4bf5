package io.tunneld.cluster;

import io.tunneld.protocol.StartProxy;
import io.tunneld.session.PooledProxy;
import io.tunneld.tunnel.ProxyConnection;
import io.vertx.core.Future;

/**
 * A proxy connection of one of this replica's sessions that the client opened to another
 * replica, which parks it: in the session's pool it counts like any other, and a public
 * connection here that takes it claims it over the forward port.
 */
final class RemoteProxy implements PooledProxy {

    private final String host;
    private final String handle;
    private final ProxyBroker broker;
    private Runnable onGone = () -> { };
    private boolean gone;

    RemoteProxy(String host, String handle, ProxyBroker broker) {
        this.host = host;
        this.handle = handle;
        this.broker = broker;
    }

    /** The replica parking it. */
    String host() {
        return host;
    }

    String handle() {
        return handle;
    }

    @Override
    public Object place() {
        return host;
    }

    @Override
    public synchronized void whenGone(Runnable onGone) {
        this.onGone = onGone;
    }

    @Override
    public synchronized boolean isOpen() {
        return !gone;
    }

    /** Its host says it is gone, or its host left. */
    void gone() {
        Runnable run;
        synchronized (this) {
            gone = true;
            run = onGone;
        }
        run.run();
    }

    @Override
    public Future<ProxyConnection> open(StartProxy start) {
        return broker.claim(this, start);
    }

    @Override
    public void close() {
        broker.drop(this);
    }
}
