package io.tunneld.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.tunneld.proxy.ProxyJoin;
import io.tunneld.session.ControlRegistry;

/**
 * Not ready once a stop has begun: the balancer sends new clients elsewhere while the
 * connections joined here finish.
 */
@Readiness
@ApplicationScoped
public class StopReadiness implements HealthCheck {

    private final ControlRegistry controls;
    private final ProxyJoin join;

    public StopReadiness(ControlRegistry controls, ProxyJoin join) {
        this.controls = controls;
        this.join = join;
    }

    @Override
    public HealthCheckResponse call() {
        if (controls.draining()) {
            return HealthCheckResponse.named("stopping").down()
                    .withData("state", "draining: " + join.joined() + " joined connection(s) left").build();
        }
        return HealthCheckResponse.named("stopping").up().withData("state", "serving").build();
    }
}
