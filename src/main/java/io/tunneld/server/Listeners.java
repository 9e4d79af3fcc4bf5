package io.tunneld.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.tunneld.config.TunneldConfig;
import io.tunneld.http.HttpIngress;
import io.tunneld.listener.Listener;
import io.tunneld.listener.ServingLoops;
import io.tunneld.session.TunnelPortAcceptor;
import io.tunneld.tls.ServerTls;
import io.tunneld.tunnel.Protocol;
import io.tunneld.tunnel.PublicPorts;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServerOptions;

/**
 * Opens the tunnel port and the public HTTP and HTTPS listeners when Quarkus starts; the
 * graceful stop closes them. A listener that cannot bind is logged and reported as down by
 * the readiness check; the others keep serving.
 */
@ApplicationScoped
public class Listeners {

    private static final Logger LOG = Logger.getLogger(Listeners.class);

    private final TunneldConfig config;
    private final ServerTls tls;
    private final TunnelPortAcceptor acceptor;
    private final HttpIngress http;
    private final PublicPorts publicPorts;
    private final Vertx vertx;
    private final ServingLoops loops;
    private final List<Listener> listeners = new ArrayList<>();

    public Listeners(TunneldConfig config, ServerTls tls, TunnelPortAcceptor acceptor, HttpIngress http,
            PublicPorts publicPorts, Vertx vertx, ServingLoops loops) {
        this.config = config;
        this.tls = tls;
        this.acceptor = acceptor;
        this.http = http;
        this.publicPorts = publicPorts;
        this.vertx = vertx;
        this.loops = loops;
    }

    void onStart(@Observes StartupEvent event) throws Exception {
        listeners.add(new Listener("tunnel",
                tls.tunnelPort(options(config.tunnel().host(), config.tunnel().port())), acceptor));
        if (config.http().enabled()) {
            listeners.add(new Listener("http", options(config.http().host(), config.http().port()),
                    http.handler(Protocol.HTTP)));
        }
        if (config.https().enabled()) {
            listeners.add(new Listener("https",
                    tls.https(options(config.https().host(), config.https().port())), http.handler(Protocol.HTTPS)));
        }
        // Startup runs on the main thread, never an event loop: waiting here is fine.
        List<Context> contexts = loops.contexts();
        Future.join(listeners.stream().map(l -> l.start(vertx, contexts)).toList())
                .toCompletionStage().toCompletableFuture().exceptionally(e -> null).get(30, TimeUnit.SECONDS);
        for (Listener l : listeners) {
            if (l.isBound()) {
                Protocol.of(l.name()).ifPresent(p -> publicPorts.bound(p, l.port()));
                LOG.infof("%s listener on %s:%d", l.name(), l.host(), l.port());
            } else {
                LOG.errorf("%s listener could not start on %s: %s", l.name(), l.host(), l.failure());
            }
        }
        LOG.infof("tunneld serving domain %s on %d event loops; TCP tunnels %s", config.domain(), contexts.size(),
                config.tcp().enabled()
                ? "on " + config.tcp().host() + " ports " + config.tcp().portMin() + "-" + config.tcp().portMax()
                : "off");
    }

    /**
     * Closes every listener, waiting up to 10 s; connections already accepted carry on. Blocks:
     * call it from the shutdown thread, never an event loop.
     */
    public void stop() throws Exception {
        Future.join(listeners.stream().map(Listener::stop).toList())
                .toCompletionStage().toCompletableFuture().exceptionally(e -> null).get(10, TimeUnit.SECONDS);
    }

    /** Every configured listener. */
    public List<Listener> all() {
        return List.copyOf(listeners);
    }

    /** The listener of that name, if configured. */
    public Optional<Listener> named(String name) {
        return listeners.stream().filter(l -> l.name().equals(name)).findFirst();
    }

    private static NetServerOptions options(String host, int port) {
        return new NetServerOptions().setHost(host).setPort(port);
    }
}
