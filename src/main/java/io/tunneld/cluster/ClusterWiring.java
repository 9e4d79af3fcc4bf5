package io.tunneld.cluster;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import io.tunneld.config.TunneldConfig;
import io.tunneld.session.ForeignProxies;
import io.tunneld.session.NoForeignProxies;
import io.tunneld.session.SessionDirectory;
import io.tunneld.session.UrlAffinity;
import io.tunneld.tunnel.LocalRouteClaims;
import io.tunneld.tunnel.RouteClaims;

/**
 * Where the cluster enters the data path: with {@code tunneld.cluster.redis-url} set, the
 * sessions directory, route claims and proxies for sessions held elsewhere are the cluster's;
 * otherwise they are this process's own, as on a single node.
 */
@ApplicationScoped
public class ClusterWiring {

    @Produces
    @ApplicationScoped
    SessionDirectory sessions(TunneldConfig config, UrlAffinity local, ClusterSessions cluster) {
        return config.cluster().redisUrl().isPresent() ? cluster : local;
    }

    @Produces
    @ApplicationScoped
    RouteClaims routeClaims(TunneldConfig config, LocalRouteClaims local, ClusterRouteClaims cluster) {
        return config.cluster().redisUrl().isPresent() ? cluster : local;
    }

    @Produces
    @ApplicationScoped
    ForeignProxies foreignProxies(TunneldConfig config, NoForeignProxies local, ClusterForeignProxies cluster) {
        return config.cluster().redisUrl().isPresent() ? cluster : local;
    }
}
