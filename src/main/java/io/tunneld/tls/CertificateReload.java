package io.tunneld.tls;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.tunneld.config.TunneldConfig;
import io.vertx.core.Vertx;

/**
 * Reads the configured certificate files again every {@code tunneld.tls.reload-period}, so a
 * renewal is served without a restart. By content, not by file events: Kubernetes replaces a
 * mounted Secret by switching a symbolic link to a new directory, which watching the files
 * themselves would not see.
 */
@ApplicationScoped
public class CertificateReload {

    private final ServerTls tls;
    private final Vertx vertx;
    private final Duration period;
    private long timer = -1;

    public CertificateReload(ServerTls tls, Vertx vertx, TunneldConfig config) {
        this.tls = tls;
        this.vertx = vertx;
        this.period = config.tls().reloadPeriod();
    }

    void onStart(@Observes StartupEvent event) {
        if (period.isZero() || period.isNegative() || tls.files().isEmpty()) {
            return;
        }
        // Reading files blocks: on a worker, one check at a time.
        timer = vertx.setPeriodic(period.toMillis(), id -> vertx.executeBlocking(() -> {
            tls.files().forEach(CertificateFiles::reload);
            return null;
        }));
    }

    void onStop(@Observes ShutdownEvent event) {
        if (timer != -1) {
            vertx.cancelTimer(timer);
        }
    }
}
