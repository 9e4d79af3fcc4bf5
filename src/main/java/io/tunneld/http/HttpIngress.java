package io.tunneld.http;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.tunneld.config.TunneldConfig;
import io.tunneld.metrics.TunnelMetrics;
import io.tunneld.proxy.ProxyJoin;
import io.tunneld.tunnel.Protocol;
import io.tunneld.tunnel.Tunnel;
import io.tunneld.tunnel.TunnelRegistry;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

/**
 * Public HTTP and HTTPS connections: reads the request head within a deadline, routes by
 * {@code Host} to a tunnel, checks its basic auth, and joins the connection to a proxy with
 * the head replayed exactly as received. Like 1.x, a kept-alive connection stays with the
 * tunnel its first request chose.
 */
@ApplicationScoped
public class HttpIngress {

    private static final Logger LOG = Logger.getLogger(HttpIngress.class);
    /** Quiet time after an answer of ours before the connection is closed. */
    private static final long LINGER_MILLIS = 250;

    private final TunnelRegistry registry;
    private final ProxyJoin join;
    private final TunnelMetrics metrics;
    private final TunneldConfig config;
    private final Vertx vertx;

    public HttpIngress(TunnelRegistry registry, ProxyJoin join, TunnelMetrics metrics, TunneldConfig config, Vertx vertx) {
        this.registry = registry;
        this.join = join;
        this.metrics = metrics;
        this.config = config;
        this.vertx = vertx;
    }

    /** Connection handler for the listener of {@code protocol} (HTTP or HTTPS). */
    public Handler<NetSocket> handler(Protocol protocol) {
        return socket -> new Exchange(socket, protocol).start();
    }

    /** One public connection until it is routed. */
    private final class Exchange {
        private final NetSocket socket;
        private final Protocol protocol;
        private final Buffer head = Buffer.buffer(1024);
        private long deadline;
        private boolean routed;

        Exchange(NetSocket socket, Protocol protocol) {
            this.socket = socket;
            this.protocol = protocol;
        }

        void start() {
            metrics.publicConnection(protocol);
            deadline = vertx.setTimer(config.timeouts().httpHead().toMillis(), t -> answer(HttpAnswers.requestTimeout()));
            socket.closeHandler(v -> vertx.cancelTimer(deadline));
            socket.exceptionHandler(e -> LOG.debugf("public %s connection %s: %s", protocol.wireName(),
                    socket.remoteAddress(), e.getMessage()));
            socket.handler(this::onData);
        }

        private void onData(Buffer data) {
            if (routed) {
                // Read before the hold took effect: replayed after the head.
                head.appendBuffer(data);
                return;
            }
            int scanFrom = head.length() - 2;
            head.appendBuffer(data);
            int end = HttpHead.endOfHead(head, scanFrom);
            if (end < 0) {
                if (head.length() > config.limits().httpMaxHeadSize()) {
                    answer(HttpAnswers.headTooLarge());
                } else if (!HttpHead.plausibleStart(head)) {
                    answer(HttpAnswers.badRequest());
                }
                return;
            }
            if (end > config.limits().httpMaxHeadSize()) {
                answer(HttpAnswers.headTooLarge());
                return;
            }
            HttpHead request = HttpHead.parse(head, end);
            if (request == null) {
                answer(HttpAnswers.badRequest());
                return;
            }
            route(request);
        }

        private void route(HttpHead request) {
            Tunnel tunnel = registry.lookupHttp(protocol, request.host());
            if (tunnel != null) {
                route(request, tunnel);
                return;
            }
            // Not known here: maybe opened on another replica a moment ago. Held meanwhile.
            routed = true;
            ProxyJoin.hold(socket);
            Context context = Vertx.currentContext();
            registry.lookupMissed(Tunnel.httpRouteKey(protocol, request.host())).onComplete(ar ->
                    context.runOnContext(v -> {
                        routed = false;
                        ProxyJoin.release(socket);
                        if (ar.succeeded() && ar.result() != null) {
                            route(request, ar.result());
                        } else {
                            answer(HttpAnswers.notFound(request.hostAsSent()));
                        }
                    }));
        }

        private void route(HttpHead request, Tunnel tunnel) {
            if (tunnel.auth() != null && !tunnel.auth().admits(request.authorization())) {
                answer(HttpAnswers.unauthorized());
                return;
            }
            routed = true;
            vertx.cancelTimer(deadline);
            ProxyJoin.hold(socket);
            if (!join.whenProxyReady(socket, tunnel, head, config.timeouts().proxyWait(),
                    () -> answer(HttpAnswers.badGateway(tunnel.url())))) {
                answer(HttpAnswers.busy(tunnel.url()));
            }
        }

        /**
         * Writes an answer of ours and closes. Input still arriving is read and dropped for a
         * moment first: closing with unread input makes the kernel send a reset, which can
         * destroy the answer before the client reads it.
         */
        private void answer(Buffer response) {
            routed = true;
            ProxyJoin.release(socket);
            vertx.cancelTimer(deadline);
            socket.write(response);
            long[] linger = { vertx.setTimer(LINGER_MILLIS, t -> socket.close()) };
            long hardStop = vertx.setTimer(4 * LINGER_MILLIS, t -> socket.close());
            socket.handler(ignored -> {
                vertx.cancelTimer(linger[0]);
                linger[0] = vertx.setTimer(LINGER_MILLIS, t -> socket.close());
            });
            socket.closeHandler(v -> {
                vertx.cancelTimer(linger[0]);
                vertx.cancelTimer(hardStop);
            });
        }
    }
}
