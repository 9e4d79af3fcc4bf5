package io.tunneld.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import io.smallrye.health.api.Wellness;

import io.tunneld.session.ControlRegistry;
import io.tunneld.tunnel.Protocol;
import io.tunneld.tunnel.TunnelRegistry;

/**
 * Live sessions, tunnels, and sessions whose heartbeat is overdue (see
 * {@link ControlRegistry#overdueHeartbeats()}: late, not yet reaped), at {@code /q/health/well}.
 * Informational: always up.
 */
@Wellness
@ApplicationScoped
public class SessionsCheck implements HealthCheck {

    private final ControlRegistry controls;
    private final TunnelRegistry tunnels;

    public SessionsCheck(ControlRegistry controls, TunnelRegistry tunnels) {
        this.controls = controls;
        this.tunnels = tunnels;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("sessions").up()
                .withData("controls", controls.controls().size())
                .withData("heartbeatsOverdue", controls.overdueHeartbeats())
                .withData("tunnelsHttp", tunnels.count(Protocol.HTTP))
                .withData("tunnelsHttps", tunnels.count(Protocol.HTTPS))
                .withData("tunnelsTcp", tunnels.count(Protocol.TCP))
                .build();
    }
}
