package io.tunneld.health;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * Alive when an event loop runs a task within two seconds: a blocked event loop stalls every
 * tunnel on it, and a restart is the cure.
 */
@Liveness
@ApplicationScoped
public class EventLoopLiveness implements AsyncHealthCheck {

    private static final Duration LIMIT = Duration.ofSeconds(2);

    private final Vertx vertx;

    public EventLoopLiveness(Vertx vertx) {
        this.vertx = vertx;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        long start = System.nanoTime();
        return Uni.createFrom().<Long>emitter(e -> vertx.runOnContext(v -> e.complete(System.nanoTime() - start)))
                .ifNoItem().after(LIMIT).fail()
                .map(nanos -> HealthCheckResponse.named("event-loop").up()
                        .withData("responseMicros", nanos / 1000).build())
                .onFailure().recoverWithItem(HealthCheckResponse.named("event-loop").down()
                        .withData("error", "no event loop answered within " + LIMIT.toSeconds() + " s").build());
    }
}
