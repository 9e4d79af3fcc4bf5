package io.tunneld.cluster;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;

import org.jboss.logging.Logger;

import io.tunneld.session.ForeignProxies;
import io.vertx.core.net.NetSocket;

/**
 * A proxy connection for a session of another replica stays here, parked for that replica's
 * pool. The directory is asked only when the session is not in this replica's view yet (it
 * opened a moment ago).
 */
@ApplicationScoped
@Typed(ClusterForeignProxies.class)
public class ClusterForeignProxies implements ForeignProxies {

    private static final Logger LOG = Logger.getLogger(ClusterForeignProxies.class);

    private final Cluster cluster;

    public ClusterForeignProxies(Cluster cluster) {
        this.cluster = cluster;
    }

    @Override
    public void offer(String clientId, NetSocket proxy) {
        var known = cluster.view().sessionReplica(clientId);
        if (known.isPresent()) {
            park(clientId, proxy, known.get());
            return;
        }
        cluster.directory().session(clientId).onComplete(ar -> {
            if (ar.succeeded() && ar.result().isPresent()) {
                park(clientId, proxy, ar.result().get().replica());
            } else {
                LOG.debugf("proxy connection from %s for an unknown session closed", proxy.remoteAddress());
                proxy.close();
            }
        });
    }

    private void park(String clientId, NetSocket proxy, String owner) {
        if (owner.equals(cluster.replica())) {
            // Ours, but already gone.
            proxy.close();
            return;
        }
        cluster.broker().parkForeign(proxy, clientId, owner);
    }
}
