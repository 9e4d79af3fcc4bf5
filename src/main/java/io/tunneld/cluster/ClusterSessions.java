package io.tunneld.cluster;

import java.util.Optional;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;

import org.jboss.logging.Logger;

import io.tunneld.auth.Principal;
import io.tunneld.config.TunneldConfig;
import io.tunneld.session.SessionDirectory;
import io.tunneld.session.SessionGrant;
import io.tunneld.tunnel.DirectoryUnavailable;
import io.vertx.core.Future;

/**
 * Sessions in the cluster directory: an id is one principal's on every replica, a client
 * resuming its id on any replica takes over its session there (the replica that had it
 * closes it), and gets the random hosts and TCP ports the id held.
 */
@ApplicationScoped
@Typed(ClusterSessions.class)
public class ClusterSessions implements SessionDirectory {

    private static final Logger LOG = Logger.getLogger(ClusterSessions.class);

    private final Cluster cluster;
    private final TunneldConfig config;

    public ClusterSessions(Cluster cluster, TunneldConfig config) {
        this.cluster = cluster;
        this.config = config;
    }

    @Override
    public Future<SessionGrant> open(Optional<String> requested, Principal principal, String instance,
            Supplier<String> newId) {
        if (cluster.leaving()) {
            return Future.failedFuture(new DirectoryUnavailable("this replica is stopping"));
        }
        String id = requested.orElseGet(newId);
        return cluster.directory().openSession(id, principal.name(), instance).compose(claim -> {
            if (claim.granted()) {
                return Future.succeededFuture(new SessionGrant(id, claim.hosts(), claim.ports()));
            }
            // Another principal holds the id: a new one cannot collide.
            String fresh = newId.get();
            return cluster.directory().openSession(fresh, principal.name(), instance)
                    .map(again -> new SessionGrant(fresh, again.hosts(), again.ports()));
        }).recover(e -> Future.failedFuture(new DirectoryUnavailable("cluster directory unreachable: " + e.getMessage())));
    }

    @Override
    public void rememberHost(String clientId, Principal principal, String host) {
        cluster.directory().rememberHost(clientId, principal.name(), host)
                .onFailure(e -> LOG.debugf("cluster: host not remembered: %s", e.getMessage()));
    }

    @Override
    public void rememberPort(String clientId, Principal principal, int port) {
        cluster.directory().rememberPort(clientId, principal.name(), port)
                .onFailure(e -> LOG.debugf("cluster: port not remembered: %s", e.getMessage()));
    }

    @Override
    public void closed(String clientId, String instance, Principal principal) {
        if (cluster.leaving()) {
            // Stopping: the client reconnects to another replica and takes its names over there.
            return;
        }
        cluster.directory().closeSession(clientId, instance, config.timeouts().urlAffinity())
                .onFailure(e -> LOG.debugf("cluster: session end not recorded (the lease will end it): %s",
                        e.getMessage()));
    }
}
