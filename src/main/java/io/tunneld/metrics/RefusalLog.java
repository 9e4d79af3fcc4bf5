package io.tunneld.metrics;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

/**
 * The log lines of new connections refused for one limit: the first of a burst at INFO, then
 * at most one a minute, telling how many were refused since; each one at DEBUG. A flood of
 * refusals is what the limits are for, and must not become a flood of log lines.
 */
public final class RefusalLog {

    private static final long INTERVAL_NANOS = Duration.ofMinutes(1).toNanos();

    private final Logger log;
    private final AtomicInteger unlogged = new AtomicInteger();
    private final AtomicLong nextInfoNanos = new AtomicLong(System.nanoTime());

    public RefusalLog(Logger log) {
        this.log = log;
    }

    /** One refusal, described by {@code format} and its arguments. */
    public void refused(String format, Object... args) {
        int count = unlogged.incrementAndGet();
        long now = System.nanoTime();
        long next = nextInfoNanos.get();
        if (now - next >= 0 && nextInfoNanos.compareAndSet(next, now + INTERVAL_NANOS)) {
            unlogged.addAndGet(-count);
            String message = String.format(format, args);
            log.info(count == 1 ? message : message + " (" + count + " refused since the last such line)");
        } else if (log.isDebugEnabled()) {
            log.debugf(format, args);
        }
    }
}
