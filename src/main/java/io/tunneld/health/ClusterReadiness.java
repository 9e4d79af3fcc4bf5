package io.tunneld.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import io.tunneld.cluster.Cluster;

/**
 * The replica's place in its cluster: ready once it holds a lease and has read the
 * directory (before, it would know no other replica's tunnel). When Redis becomes
 * unreachable later it stays ready, since the tunnels that exist keep serving from its view,
 * and says why new sessions wait. Absent on a single node.
 */
@Readiness
@ApplicationScoped
public class ClusterReadiness implements HealthCheck {

    private final Cluster cluster;

    public ClusterReadiness(Cluster cluster) {
        this.cluster = cluster;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("cluster");
        if (!cluster.enabled()) {
            return response.up().withData("mode", "single node").build();
        }
        String trouble = cluster.trouble();
        response.withData("replica", cluster.replica())
                .withData("redis", trouble == null ? "up" : "unreachable: " + trouble + "; existing tunnels serve, "
                        + "new sessions and tunnels wait")
                .withData("members", String.join(", ", cluster.members().keySet()));
        return response.status(cluster.started()).build();
    }
}
