package io.tunneld.tls;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.inject.Singleton;

import io.quarkus.scheduler.Scheduled;

/**
 * Moves every listener's session tickets to the keys of the hour that has begun. A bean of its
 * own, holding only the keys it was given: it must not create the TLS set-up itself.
 */
@Singleton
class TicketKeyRotation {

    private final List<SessionTicketKeys> keys = new CopyOnWriteArrayList<>();

    void add(SessionTicketKeys listenerKeys) {
        keys.add(listenerKeys);
    }

    /**
     * A no-op within the hour. Not at start: the keys are the hour's then, and a task that fires
     * while a bad setting stops the start logs a stack trace.
     */
    @Scheduled(every = "1m", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void rotate() {
        Instant now = Instant.now();
        keys.forEach(k -> k.rotate(now));
    }
}
