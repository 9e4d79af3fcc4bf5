package io.tunneld.server;

import java.time.Duration;
import java.util.List;
import java.util.Set;
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
 * turns unready and takes no new session (a client trying is closed, and retries, elsewhere
 * in a cluster), public connections already joined get up to {@code tunneld.timeouts.drain}
 * to finish while the listeners still serve, then the sessions close so that their clients
 * reconnect and keep their URLs. In a cluster this replica waits a moment for the other
 * replicas to take its sessions over, then leaves. Only then do the listeners close.
 */
@ApplicationScoped
public class GracefulStop {

    private static final Logger LOG = Logger.getLogger(GracefulStop.class);
    /** Longest wait for other replicas to take the sessions over. */
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
        while (join.joined() > 0 && System.nanoTime() < end) {
            Thread.sleep(50);
        }
        int cut = join.joined();
        cluster.prepareLeave();
        List<Control> sessions = List.copyOf(controls.controls());
        Set<String> ids = sessions.stream().map(Control::id).collect(Collectors.toSet());
        controls.stop();
        long left = Math.max(0, end - System.nanoTime());
        cluster.leave(ids, Duration.ofNanos(Math.min(left, TAKEOVER.toNanos())));
        listeners.stop();
        LOG.infof("stopped in %d ms: %d session(s) closed, %s", (System.nanoTime() - start) / 1_000_000,
                sessions.size(), cut == 0 ? "every joined connection finished" : cut + " joined connection(s) cut at the drain limit");
    }
}
