package io.tunneld.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import io.tunneld.listener.Listener;
import io.tunneld.server.Listeners;

/** Ready when every configured listener is bound; reports each one's port or failure. */
@Readiness
@ApplicationScoped
public class ListenersReadiness implements HealthCheck {

    private final Listeners listeners;

    public ListenersReadiness(Listeners listeners) {
        this.listeners = listeners;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("listeners");
        boolean allBound = !listeners.all().isEmpty();
        for (Listener l : listeners.all()) {
            response.withData(l.name(), l.isBound() ? "bound " + l.host() + ":" + l.port() : "down: " + l.failure());
            allBound &= l.isBound();
        }
        return response.status(allBound).build();
    }
}
