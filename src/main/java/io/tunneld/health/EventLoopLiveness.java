package io.tunneld.health;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.tunneld.listener.ServingLoops;
import io.vertx.core.Context;

/**
 * Alive when every event loop that serves listeners runs a task within two seconds: a
 * blocked loop stalls every tunnel and connection on it, and a restart is the cure. Each
 * loop is probed, not only the one serving the health request, since that one is by
 * definition not stuck. Down names the loops that did not answer.
 */
@Liveness
@ApplicationScoped
public class EventLoopLiveness implements AsyncHealthCheck {

    private static final Duration LIMIT = Duration.ofSeconds(2);
    /** What a probe yields for a loop that did not answer in time. */
    private static final long NO_ANSWER = -1;

    private final List<Context> loops;
    /** The thread each loop last answered on: the name an operator sees in thread dumps. */
    private final AtomicReferenceArray<String> names;

    public EventLoopLiveness(ServingLoops servingLoops) {
        this.loops = servingLoops.contexts();
        this.names = new AtomicReferenceArray<>(loops.size());
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        List<Uni<Long>> probes = new ArrayList<>();
        for (int i = 0; i < loops.size(); i++) {
            probes.add(probe(i));
        }
        return Uni.combine().all().unis(probes).with(Long.class, this::response);
    }

    /** Nanoseconds until loop {@code i} ran a task, or {@link #NO_ANSWER}. */
    private Uni<Long> probe(int i) {
        long start = System.nanoTime();
        return Uni.createFrom().<Long>emitter(e -> loops.get(i).runOnContext(v -> {
            names.set(i, Thread.currentThread().getName());
            e.complete(System.nanoTime() - start);
        })).ifNoItem().after(LIMIT).recoverWithItem(NO_ANSWER);
    }

    private HealthCheckResponse response(List<Long> nanos) {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("event-loop").withData("loops", loops.size());
        List<String> silent = new ArrayList<>();
        for (int i = 0; i < nanos.size(); i++) {
            String name = names.get(i) != null ? names.get(i) : "serving loop " + (i + 1);
            if (nanos.get(i) == NO_ANSWER) {
                silent.add(name);
                response.withData(name, "no answer");
            } else {
                response.withData(name, "answered in " + nanos.get(i) / 1000 + " us");
            }
        }
        if (!silent.isEmpty()) {
            response.withData("error", "no answer within " + LIMIT.toSeconds() + " s from " + String.join(", ", silent));
        }
        return response.status(silent.isEmpty()).build();
    }
}
