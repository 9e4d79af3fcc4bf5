package io.tunneld.client.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;

import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.tunneld.client.config.ClientConfig;
import io.tunneld.client.config.ConfigException;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.TrustOptions;

/**
 * Which server certificates the client accepts: by default those the system trusts (the
 * JDK's trust store), with {@code -tls-ca-file} those of the CA file instead (and the
 * system's too when {@code trust_host_root_certs} is true), and any at all only when told so
 * explicitly ({@code -tls-skip-verify}). The name checked is the host of server_addr, which
 * is also the SNI name sent.
 */
public final class ServerTrust {

    /** The environment variable that turns verification off, for development. */
    public static final String SKIP_VERIFY_ENV = "TUNNELD_CLIENT_TLS_SKIP_VERIFY";

    private ServerTrust() {
    }

    /** Sets TLS on {@code options} for connections to the server. */
    public static NetClientOptions apply(NetClientOptions options, ClientConfig config) throws ConfigException {
        options.setSsl(true);
        if (config.tlsSkipVerify()) {
            return options.setTrustAll(true).setHostnameVerificationAlgorithm("");
        }
        options.setHostnameVerificationAlgorithm("HTTPS");
        if (!config.tlsCaFile().isEmpty()) {
            options.setTrustOptions(TrustOptions.wrap(caFile(Path.of(config.tlsCaFile()), config.trustHostRootCerts())));
        }
        return options;
    }

    /**
     * The same trust as a Netty context, for the server's TLS where Vert.x cannot make it: inside
     * the TLS connection to an https proxy. BoringSSL where it loads, as for a direct connection.
     * One context for every dial, so that its sessions are resumed.
     */
    public static SslContext nettyContext(ClientConfig config) throws ConfigException {
        SslContextBuilder builder = SslContextBuilder.forClient()
                .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK);
        if (config.tlsSkipVerify()) {
            builder.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
        } else {
            builder.endpointIdentificationAlgorithm("HTTPS");
            if (!config.tlsCaFile().isEmpty()) {
                builder.trustManager(caFile(Path.of(config.tlsCaFile()), config.trustHostRootCerts()));
            }
        }
        try {
            return ServerSessions.bounded(builder.build());
        } catch (SSLException e) {
            throw new ConfigException("Cannot set up TLS to the server: " + e.getMessage());
        }
    }

    private static X509TrustManager caFile(Path file, boolean alsoSystem) throws ConfigException {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            Collection<? extends Certificate> certs;
            try (InputStream in = Files.newInputStream(file)) {
                certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            }
            if (certs.isEmpty()) {
                throw new ConfigException("TLS CA file " + file + " holds no PEM certificate");
            }
            int i = 0;
            for (Certificate c : certs) {
                store.setCertificateEntry("ca-" + i++, c);
            }
            if (alsoSystem) {
                for (X509Certificate c : trustManager(null).getAcceptedIssuers()) {
                    store.setCertificateEntry("system-" + i++, c);
                }
            }
            return trustManager(store);
        } catch (IOException e) {
            throw new ConfigException("Cannot read TLS CA file " + file + ": " + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw new ConfigException("TLS CA file " + file + " is not PEM certificates: " + e.getMessage());
        }
    }

    private static X509TrustManager trustManager(KeyStore store) throws GeneralSecurityException {
        TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        f.init(store);
        for (var tm : f.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("no X.509 trust manager");
    }
}
