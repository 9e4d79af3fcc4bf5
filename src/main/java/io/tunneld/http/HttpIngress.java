package io.tunneld.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.tunneld.config.TunneldConfig;
import io.tunneld.metrics.TunnelMetrics;
import io.tunneld.proxy.ProxyJoin;
import io.tunneld.tunnel.Protocol;
import io.tunneld.tunnel.Tunnel;
import io.tunneld.tunnel.TunnelRegistry;
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
            if (tunnel == null) {
                answer(HttpAnswers.notFound(request.hostAsSent()));
                return;
            }
            if (tunnel.basicAuth() != null && !credentialsMatch(tunnel.basicAuth(), request.authorization())) {
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

    /**
     * Constant-time, and the scheme name is case-insensitive as RFC 7617 says. Only spaces
     * separate scheme and credentials (RFC 9110), not any control character.
     */
    static boolean credentialsMatch(String expected, String presented) {
        if (presented == null || presented.length() < 6 || !presented.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        int start = 6;
        while (start < presented.length() && presented.charAt(start) == ' ') {
            start++;
        }
        byte[] a = expected.substring(6).getBytes(StandardCharsets.US_ASCII);
        byte[] b = presented.substring(start).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(a, b);
    }
}
