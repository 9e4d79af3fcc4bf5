package io.tunneld.cluster;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;

import org.jboss.logging.Logger;

import io.tunneld.tunnel.Claimant;
import io.tunneld.tunnel.DirectoryUnavailable;
import io.tunneld.tunnel.RouteClaims;
import io.tunneld.tunnel.Tunnel;
import io.tunneld.tunnel.TunnelException;
import io.tunneld.tunnel.TunnelRegistry;
import io.vertx.core.Future;

/**
 * Route claims in the cluster directory: one atomic claim of all of a request's routes, so
 * that of two sessions asking for a name on two replicas at once exactly one gets it. A
 * session resuming its id elsewhere takes its routes over at once.
 */
@ApplicationScoped
@Typed(ClusterRouteClaims.class)
public class ClusterRouteClaims implements RouteClaims {

    private static final Logger LOG = Logger.getLogger(ClusterRouteClaims.class);

    private final Cluster cluster;
    private final TunnelRegistry registry;

    public ClusterRouteClaims(Cluster cluster, TunnelRegistry registry) {
        this.cluster = cluster;
        this.registry = registry;
    }

    @Override
    public Future<Void> claim(Claimant claimant, List<Tunnel> tunnels) {
        Map<String, RouteEntry> entries = new LinkedHashMap<>();
        for (Tunnel t : tunnels) {
            entries.put(t.routeKey(), new RouteEntry(cluster.replica(), claimant.clientId(), claimant.instance(),
                    claimant.principal(), t.url(), t.auth() == null ? "" : t.auth().verifier()));
        }
        return cluster.directory().claimRoutes(claimant.instance(), claimant.clientId(), claimant.principal(), entries)
                .recover(e -> Future.failedFuture(new DirectoryUnavailable("cluster directory unreachable: "
                        + e.getMessage())))
                .compose(result -> {
                    if (result == 0) {
                        tunnels.forEach(registry::claimed);
                        return Future.succeededFuture();
                    }
                    if (result > 0) {
                        return Future.failedFuture(TunnelException.alreadyRegistered(tunnels.get(result - 1).url()));
                    }
                    return Future.failedFuture(new TunnelException("This session was taken over by a new connection"));
                });
    }

    @Override
    public void release(Claimant claimant, List<Tunnel> tunnels) {
        tunnels.forEach(registry::unregister);
        if (cluster.leaving()) {
            // Stopping: the routes wait for the client to take them over on another replica.
            return;
        }
        cluster.directory().releaseRoutes(claimant.instance(), tunnels.stream().map(Tunnel::routeKey).toList())
                .onFailure(e -> LOG.debugf("cluster: routes not released (the lease will free them): %s",
                        e.getMessage()));
    }
}
