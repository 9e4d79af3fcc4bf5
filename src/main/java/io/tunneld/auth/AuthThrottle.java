package io.tunneld.auth;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Gauge;
import io.quarkus.runtime.Startup;
import io.tunneld.config.TunneldConfig;
import io.tunneld.metrics.TunnelMetrics;
import io.tunneld.protocol.PeerText;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;

/**
 * Slows token guessing down. Wrong tokens are counted per source ({@link SourceAddress}) and
 * per ClientId presented; once either has used up {@code tunneld.auth.failure-budget}, every
 * Auth answer it gets is held back on a timer, right tokens included, since an answer that
 * came sooner for a right token would tell a guesser which one was right. The hold starts at
 * 100 ms and doubles with each further failure, up to {@code tunneld.auth.max-delay}: a right
 * token is never refused for its neighbours' failures, only delayed by that much at most,
 * and from a source without failures it is never delayed.
 */
@Startup
@ApplicationScoped
public class AuthThrottle {

    private static final Logger LOG = Logger.getLogger(AuthThrottle.class);
    private static final Duration FIRST_HOLD = Duration.ofMillis(100);
    /** Longer ids are never resumed (ControlRegistry), so guessing with them gains nothing. */
    private static final int LONGEST_TRACKED_ID = 64;

    private final FailureTable failures;
    private final int budget;
    private final Duration window;
    private final Duration maxDelay;
    private final TunnelMetrics metrics;
    private final Vertx vertx;
    private final AtomicInteger held = new AtomicInteger();

    public AuthThrottle(TunneldConfig config, TunnelMetrics metrics, Vertx vertx) {
        TunneldConfig.Auth auth = config.auth();
        this.budget = auth.failureBudget();
        this.window = auth.penaltyWindow();
        this.maxDelay = auth.maxDelay();
        this.failures = new FailureTable(auth.failureTableSize(), budget, window, System::nanoTime);
        this.metrics = metrics;
        this.vertx = vertx;
        Gauge.builder("tunneld.auth.held", held, AtomicInteger::get)
                .description("Auth answers being held back now (too many failures from their source or ClientId)")
                .register(metrics.registry());
    }

    /**
     * Runs {@code answer} now, or on a timer of the caller's context once the hold for the
     * peer and ClientId is over. Returns that timer, to pass to {@link #drop} if the
     * connection closes first, or -1 when the answer already ran.
     */
    public long answer(SocketAddress peer, String clientId, Runnable answer) {
        int over = Math.max(failures.overBudget(SourceAddress.of(peer)),
                tracked(clientId) ? failures.overBudget(idKey(clientId)) : 0);
        Duration hold = hold(over, maxDelay);
        if (hold.isZero()) {
            answer.run();
            return -1;
        }
        metrics.authThrottled();
        held.incrementAndGet();
        return vertx.setTimer(hold.toMillis(), t -> {
            try {
                answer.run();
            } finally {
                held.decrementAndGet();
            }
        });
    }

    /** The connection of a held answer closed: the answer is not given. -1 is ignored. */
    public void drop(long timer) {
        if (timer >= 0 && vertx.cancelTimer(timer)) {
            held.decrementAndGet();
        }
    }

    /**
     * Counts a wrong token from the peer, presenting {@code clientId}; returns whether the
     * source or the ClientId is now under penalty.
     */
    public boolean failed(SocketAddress peer, String clientId) {
        String source = SourceAddress.of(peer);
        boolean penalised = failed(source, source);
        if (tracked(clientId)) {
            String shortId = PeerText.printable(clientId.substring(0, Math.min(8, clientId.length())));
            penalised |= failed(idKey(clientId), "session id " + shortId);
        }
        return penalised;
    }

    private boolean failed(String key, String what) {
        int count = failures.fail(key);
        if (count == Math.max(budget, 1)) {
            LOG.warnf("%d wrong tokens from %s: its Auth answers are now held back (up to %d ms) until it has "
                    + "sent none for %d s", count, what, maxDelay.toMillis(), window.toSeconds());
        }
        return count >= budget;
    }

    /** 0 when not over budget, else 100 ms doubled per failure past the budget, at most {@code max}. */
    static Duration hold(int overBudget, Duration max) {
        if (overBudget == 0) {
            return Duration.ZERO;
        }
        Duration hold = FIRST_HOLD.multipliedBy(1L << Math.min(overBudget - 1, 30));
        return hold.compareTo(max) < 0 ? hold : max;
    }

    private static boolean tracked(String clientId) {
        return !clientId.isEmpty() && clientId.length() <= LONGEST_TRACKED_ID;
    }

    private static String idKey(String clientId) {
        // Sources never contain a space, so an id key cannot collide with one.
        return "id " + clientId;
    }
}
