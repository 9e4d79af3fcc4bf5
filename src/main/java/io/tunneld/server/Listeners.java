package io.tunneld.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.tunneld.config.TunneldConfig;
import io.tunneld.http.HttpIngress;
import io.tunneld.listener.Listener;
import io.tunneld.listener.ServingLoops;
import io.tunneld.session.TunnelPortAcceptor;
import io.tunneld.tcp.TcpPorts;
import io.tunneld.tls.ServerTls;
import io.tunneld.tunnel.Protocol;
import io.tunneld.tunnel.PublicPorts;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServerOptions;

/**
 * Opens the tunnel port and the public HTTP and HTTPS listeners when Quarkus starts; the
 * graceful stop closes them. A listener that cannot bind stops the start with one line naming
 * its address ({@code tunneld.fail-fast}); without fail-fast it is logged and reported as down
 * by the readiness check, and the others keep serving.
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
    private final TcpPorts tcpPorts;
    private final List<Listener> listeners = new ArrayList<>();

    public Listeners(TunneldConfig config, ServerTls tls, TunnelPortAcceptor acceptor, HttpIngress http,
            PublicPorts publicPorts, Vertx vertx, ServingLoops loops, TcpPorts tcpPorts) {
        this.config = config;
        this.tls = tls;
        this.acceptor = acceptor;
        this.http = http;
        this.publicPorts = publicPorts;
        this.vertx = vertx;
        this.loops = loops;
        this.tcpPorts = tcpPorts;
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
            } else if (config.failFast()) {
                throw new ConfigurationException(l.name() + " listener cannot start on " + l.host() + ":"
                        + l.configuredPort() + ": " + l.failure() + " (tunneld.fail-fast=false starts without it)");
            } else {
                LOG.errorf("%s listener could not start on %s:%d: %s", l.name(), l.host(), l.configuredPort(),
                        l.failure());
            }
        }
        LOG.infof("TLS engine: %s; transport: %s", tls.engine(), transport());
        LOG.infof("tunneld serving domain %s on %d event loops; TCP tunnels %s", config.domain(), contexts.size(),
                config.tcp().enabled()
                ? "on " + config.tcp().host() + " ports " + config.tcp().portMin() + "-" + config.tcp().portMax()
                : "off");
    }

    /** epoll where Netty's native library loads (the only native transport this build ships), NIO otherwise. */
    private String transport() {
        if (vertx.isNativeTransportEnabled()) {
            return "epoll";
        }
        Throwable cause = vertx.unavailableNativeTransportCause();
        return cause == null ? "NIO" : "NIO (epoll is not available: " + cause.getMessage() + ")";
    }

    /**
     * Closes every new connection from now, on every listener and TCP tunnel port; the
     * connections accepted carry on: the drain's last part.
     */
    public void refuseNew() {
        listeners.forEach(Listener::refuseNew);
        tcpPorts.refuseNew();
    }

    /**
     * Closes every listener with the connections it accepted, then the TCP tunnel ports the
     * sessions released, each waited for (up to 10 s) until its connections are closed and
     * their close handlers have run: one that ran while Vert.x stops its event loops would
     * reach into a loop that has ended (a relay closing its other side), or into the CDI
     * container, which stops before Vert.x. The last step of a {@link GracefulStop}. Blocks:
     * call it from the shutdown thread, never an event loop.
     */
    public void stop() throws InterruptedException {
        awaitStop(Future.join(listeners.stream().map(Listener::stop).toList()), "listeners");
        awaitStop(tcpPorts.stop(), "TCP tunnel ports");
    }

    private static void awaitStop(Future<?> stop, String what) throws InterruptedException {
        try {
            stop.toCompletionStage().toCompletableFuture().exceptionally(e -> null).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warnf("%s and their connections not closed within 10 s; stopping anyway", what);
        }
    }

    /**
     * Public connections (http, https, TCP tunnel ports) accepted and not closed yet: joined,
     * waiting for a proxy, or still sending their request head.
     */
    public int publicOpen() {
        return listeners.stream().filter(l -> Protocol.of(l.name()).isPresent()).mapToInt(Listener::open).sum()
                + tcpPorts.open();
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
