package io.tunneld.server;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.tunneld.cluster.Cluster;
import io.tunneld.config.TunneldConfig;
import io.tunneld.proxy.ProxyJoin;
import io.tunneld.session.Control;
import io.tunneld.session.ControlRegistry;

/**
 * A stop (SIGTERM, as Kubernetes stops a pod) that loses nothing it can keep: the server
 * takes no new session (a client trying is closed, and retries, elsewhere in a cluster),
 * public connections already joined get up to {@code tunneld.timeouts.drain} to finish while
 * the listeners still serve, then new connections are closed at once while every public
 * connection accepted before finishes (joined ones, and those still sending their request or
 * waiting for a proxy, which join meanwhile), then the sessions close so that their clients
 * reconnect and keep their URLs.
 * In a cluster this replica waits a moment for the other replicas to take its sessions over,
 * then leaves. Only then do the listeners close, with whatever they still hold.
 */
@ApplicationScoped
public class GracefulStop {

    private static final Logger LOG = Logger.getLogger(GracefulStop.class);
    /** Longest wait for other replicas to take the sessions over, after the drain (the grace period must allow both). */
    private static final Duration TAKEOVER = Duration.ofSeconds(5);

    private final TunneldConfig config;
    private final ControlRegistry controls;
    private final ProxyJoin join;
    private final Cluster cluster;
    private final Listeners listeners;

    public GracefulStop(TunneldConfig config, ControlRegistry controls, ProxyJoin join, Cluster cluster,
            Listeners listeners) {
        this.config = config;
        this.controls = controls;
        this.join = join;
        this.cluster = cluster;
        this.listeners = listeners;
    }

    /** Waits until {@code unfinished} is none, or until {@code end}. */
    private static void await(IntSupplier unfinished, long end) throws InterruptedException {
        while (unfinished.getAsInt() > 0 && System.nanoTime() < end) {
            Thread.sleep(50);
        }
    }

    /** Joined connections (forwarded ones from other replicas too) plus public ones not closed yet: none, or some. */
    private int unfinished() {
        return join.joined() + listeners.publicOpen();
    }

    /** First of all shutdown work; runs on the shutdown thread, so it may wait. */
    void onStop(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent event) throws Exception {
        long start = System.nanoTime();
        long end = start + config.timeouts().drain().toNanos();
        controls.drain();
        int joined = join.joined();
        if (joined > 0) {
            LOG.infof("stopping: %d joined connection(s) may finish, for up to %d s", joined,
                    config.timeouts().drain().toSeconds());
        }
        await(join::joined, end);
        // Then no new connection either, and a last wait for every one accepted before: one
        // still sending its request, or waiting for a proxy (from another replica, say), joins
        // a moment later and would be cut when the listeners close.
        listeners.refuseNew();
        cluster.prepareLeave();
        await(this::unfinished, end);
        int publicOpen = listeners.publicOpen();
        int joinedAtEnd = join.joined();
        List<Control> sessions = List.copyOf(controls.controls());
        Set<String> ids = sessions.stream().map(Control::id).collect(Collectors.toSet());
        controls.stop();
        cluster.leave(ids, TAKEOVER);
        listeners.stop();
        LOG.infof("stopped in %d ms: %d session(s) closed, %s", (System.nanoTime() - start) / 1_000_000,
                sessions.size(), publicOpen + joinedAtEnd == 0 ? "every connection finished"
                        : "cut at the drain limit: " + publicOpen + " public connection(s) open, " + joinedAtEnd
                        + " joined (those forwarded from other replicas included)");
    }
}
