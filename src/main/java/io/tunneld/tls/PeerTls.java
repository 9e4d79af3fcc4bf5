package io.tunneld.tls;

import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;

import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedTrustManager;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.TrustOptions;
import io.vertx.core.spi.tls.DefaultSslContextFactory;
import io.vertx.core.spi.tls.SslContextFactory;

/**
 * Mutual TLS between peers of one deployment, the replicas of a cluster: each side shows its
 * own certificate and accepts only what the trust manager accepts (no CA, no host name), on
 * the engine the listeners use.
 */
public final class PeerTls {

    /** Sessions a dialer keeps: a few replicas, the connections opened to them at once. */
    private static final int SESSIONS = 256;

    private final boolean boringSsl;
    private final PemKeyCertOptions own;
    private final TrustOptions trust;

    /**
     * @param boringSsl BoringSSL (netty-tcnative) if true, the JDK's engine if false: as the
     *                  listeners have it ({@link ServerTls#peers})
     */
    public PeerTls(boolean boringSsl, X509Certificate certificate, PrivateKey key, X509ExtendedTrustManager trust) {
        this.boringSsl = boringSsl;
        try {
            this.own = new PemKeyCertOptions()
                    .setCertValue(Buffer.buffer(pem("CERTIFICATE", certificate.getEncoded())))
                    .setKeyValue(Buffer.buffer(pem("PRIVATE KEY", key.getEncoded())));
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
        this.trust = TrustOptions.wrap(trust);
    }

    /** The accepting side: a peer must show a certificate the trust manager accepts. */
    public NetServerOptions server(NetServerOptions options) {
        return options.setSsl(true).setSslEngineOptions(boringSsl ? new OpenSSLEngineOptions() : new JdkSSLEngineOptions())
                .setKeyCertOptions(own).setTrustOptions(trust).setClientAuth(ClientAuth.REQUIRED);
    }

    /**
     * The dialing side: the trust manager alone judges the peer, whatever address it was
     * dialed at. Sessions resume: a claim connection per forwarded public connection would
     * otherwise sign and verify two certificates each time.
     */
    public NetClientOptions client(NetClientOptions options) {
        return options.setSsl(true).setSslEngineOptions(boringSsl ? new BoundedSessions() : new JdkSSLEngineOptions())
                .setKeyCertOptions(own).setTrustOptions(trust).setHostnameVerificationAlgorithm("");
    }

    /**
     * BoringSSL keeping at most {@link #SESSIONS} sessions. Netty's default, 20,480 for five
     * minutes, fills with the second ticket of every handshake (BoringSSL issues two, one is
     * used), and then each handshake searches a hash set that large for a usable one.
     */
    private static final class BoundedSessions extends OpenSSLEngineOptions {

        // Vert.x copies the options it is given: the copy must bound its contexts too.
        @Override
        public BoundedSessions copy() {
            return new BoundedSessions();
        }

        @Override
        public SslContextFactory sslContextFactory() {
            return new DefaultSslContextFactory(SslProvider.OPENSSL, isSessionCacheEnabled()) {
                @Override
                public SslContext create() throws SSLException {
                    SslContext context = super.create();
                    context.sessionContext().setSessionCacheSize(SESSIONS);
                    return context;
                }
            };
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + new String(Base64.getMimeEncoder(64, new byte[] {'\n'}).encode(der), StandardCharsets.US_ASCII)
                + "\n-----END " + type + "-----\n";
    }
}
