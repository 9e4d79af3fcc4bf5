package io.tunneld.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import io.smallrye.health.api.Wellness;

import io.tunneld.cluster.Cluster;
import io.tunneld.session.ControlRegistry;
import io.tunneld.tunnel.Protocol;
import io.tunneld.tunnel.TunnelRegistry;

/**
 * Live sessions, tunnels, and sessions whose heartbeat is overdue (see
 * {@link ControlRegistry#overdueHeartbeats()}: late, not yet reaped), of this replica and, in
 * a cluster, of the whole cluster, at {@code /q/health/well}. Informational: always up.
 */
@Wellness
@ApplicationScoped
public class SessionsCheck implements HealthCheck {

    private final ControlRegistry controls;
    private final TunnelRegistry tunnels;
    private final Cluster cluster;

    public SessionsCheck(ControlRegistry controls, TunnelRegistry tunnels, Cluster cluster) {
        this.controls = controls;
        this.tunnels = tunnels;
        this.cluster = cluster;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("sessions").up()
                .withData("controls", controls.controls().size())
                .withData("heartbeatsOverdue", controls.overdueHeartbeats())
                .withData("tunnelsHttp", tunnels.count(Protocol.HTTP))
                .withData("tunnelsHttps", tunnels.count(Protocol.HTTPS))
                .withData("tunnelsTcp", tunnels.count(Protocol.TCP));
        if (cluster.enabled()) {
            response.withData("clusterReplicas", cluster.members().size())
                    .withData("clusterControls", cluster.sessionCount())
                    .withData("clusterRoutes", cluster.routeCount());
        }
        return response.build();
    }
}
