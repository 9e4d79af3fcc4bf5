package io.tunneld.tls;

import javax.net.ssl.SSLException;

import io.netty.handler.ssl.OpenSslServerSessionContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.spi.tls.DefaultSslContextFactory;
import io.vertx.core.spi.tls.SslContextFactory;

/**
 * BoringSSL for a listener, issuing session tickets sealed with {@link SessionTicketKeys}.
 * Netty turns tickets off in every context it makes (SSL_OP_NO_TICKET); Vert.x builds the
 * context itself, so the keys go in through its context factory, the one hook it offers.
 */
final class SessionTicketEngineOptions extends OpenSSLEngineOptions {

    private final SessionTicketKeys keys;

    SessionTicketEngineOptions(SessionTicketKeys keys) {
        this.keys = keys;
    }

    // Vert.x copies the options it is given: the copy must keep the keys.
    @Override
    public SessionTicketEngineOptions copy() {
        return new SessionTicketEngineOptions(keys);
    }

    @Override
    public SslContextFactory sslContextFactory() {
        return new DefaultSslContextFactory(SslProvider.OPENSSL, isSessionCacheEnabled()) {
            @Override
            public SslContext create() throws SSLException {
                SslContext context = super.create();
                if (context.sessionContext() instanceof OpenSslServerSessionContext server) {
                    keys.install(server);
                }
                return context;
            }
        };
    }
}
