package io.tunneld.client.tls;

import javax.net.ssl.SSLException;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.spi.tls.DefaultSslContextFactory;
import io.vertx.core.spi.tls.SslContextFactory;

/**
 * The TLS sessions the client keeps for resuming with its server. Netty keeps up to 20,480
 * for five minutes by default; a client resuming a TLS 1.3 session (used once) per proxy
 * connection and given a ticket or two each time filled that, holding tens of MiB of native
 * sessions, and every handshake looked for a usable one from the emptied front of a hash set
 * that large (2% of the client's CPU at a thousand connections a second). A few dozen cover
 * the proxies a client opens at once.
 */
public final class ServerSessions {

    /** Sessions kept, for the one server a client talks to. */
    public static final int KEPT = 64;

    private ServerSessions() {
    }

    /** {@code context} keeping at most {@link #KEPT} sessions. */
    public static SslContext bounded(SslContext context) {
        context.sessionContext().setSessionCacheSize(KEPT);
        return context;
    }

    /** BoringSSL for Vert.x's connections to the server, each context {@link #bounded}. */
    public static OpenSSLEngineOptions engineOptions() {
        return new BoundedEngineOptions();
    }

    private static final class BoundedEngineOptions extends OpenSSLEngineOptions {

        // Vert.x copies the options it is given: the copy must bound its contexts too.
        @Override
        public BoundedEngineOptions copy() {
            return new BoundedEngineOptions();
        }

        @Override
        public SslContextFactory sslContextFactory() {
            return new DefaultSslContextFactory(SslProvider.OPENSSL, isSessionCacheEnabled()) {
                @Override
                public SslContext create() throws SSLException {
                    return bounded(super.create());
                }
            };
        }
    }
}
