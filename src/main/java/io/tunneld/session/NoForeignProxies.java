package io.tunneld.session;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;

import org.jboss.logging.Logger;

import io.vertx.core.net.NetSocket;

/** On a single node a proxy for an unknown session has nowhere to go: it is closed. */
@ApplicationScoped
@Typed(NoForeignProxies.class)
public class NoForeignProxies implements ForeignProxies {

    private static final Logger LOG = Logger.getLogger(NoForeignProxies.class);

    @Override
    public void offer(String clientId, NetSocket proxy) {
        LOG.debugf("proxy connection from %s for an unknown session closed", proxy.remoteAddress());
        proxy.close();
    }
}
