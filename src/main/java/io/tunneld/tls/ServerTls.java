package io.tunneld.tls;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import javax.net.ssl.KeyManagerFactory;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.spi.ObserverMethod;

import org.jboss.logging.Logger;

import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.quarkus.runtime.Startup;
import io.tunneld.config.TunneldConfig;
import io.vertx.core.Vertx;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.SSLEngineOptions;

/**
 * TLS for the tunnel port and public HTTPS: the configured PEM files, or one self-signed
 * certificate made at start; BoringSSL where its native library loads, the JDK engine
 * otherwise. Each key is loaded once and handed to BoringSSL once: by default Netty would
 * convert it to PEM and parse it again in every handshake, and every proxy connection is one.
 */
@Startup(ObserverMethod.DEFAULT_PRIORITY - 100)
@ApplicationScoped
public class ServerTls {

    private static final Logger LOG = Logger.getLogger(ServerTls.class);

    private final TunneldConfig config;
    private final Vertx vertx;
    /** Made on another thread while the rest of the server starts, when no files are configured. */
    private final CompletableFuture<KeyManagerFactory> selfSigned;
    /** Key material per pair of files, so that listeners sharing files share one key. */
    private final Map<List<String>, KeyCertOptions> fromFiles = new HashMap<>();

    public ServerTls(TunneldConfig config, Vertx vertx) {
        this.config = config;
        this.vertx = vertx;
        // Each listener falls back to the other's files: generate only when neither has any.
        boolean needed = !configured(config.tunnel().tls()) && !configured(config.https().tls());
        String domain = config.domain();
        this.selfSigned = needed ? CompletableFuture.supplyAsync(() -> {
            SelfSignedCertificate generated = SelfSignedCertificate.create(List.of(domain, "*." + domain));
            LOG.warnf("No TLS certificate configured: generated a self-signed one in memory for %s and *.%s "
                    + "(SHA-256 %s). Stock ngrok 1.x release clients will refuse it; see README.",
                    domain, domain, generated.sha256Fingerprint());
            return keyManagers(generated);
        }) : null;
    }

    /** Options for the tunnel port. */
    public NetServerOptions tunnelPort(NetServerOptions options) {
        return secure(options, "tunnel port", config.tunnel().tls(), config.https().tls());
    }

    /** Options for the public HTTPS listener. */
    public NetServerOptions https(NetServerOptions options) {
        return secure(options, "https", config.https().tls(), config.tunnel().tls());
    }

    private NetServerOptions secure(NetServerOptions options, String listener,
            TunneldConfig.Tls own, TunneldConfig.Tls fallback) {
        // The engine first: loading BoringSSL (about 0.1 s at start) overlaps the key's generation.
        options.setSsl(true).setSslEngineOptions(engine(listener)).setKeyCertOptions(keyCert(own, fallback));
        return options;
    }

    private static SSLEngineOptions engine(String listener) {
        if (OpenSSLEngineOptions.isAvailable()) {
            return new OpenSSLEngineOptions();
        }
        LOG.warnf("BoringSSL is not available on this platform; %s uses the JDK TLS engine", listener);
        return new JdkSSLEngineOptions();
    }

    private KeyCertOptions keyCert(TunneldConfig.Tls own, TunneldConfig.Tls fallback) {
        TunneldConfig.Tls chosen = configured(own) ? own : configured(fallback) ? fallback : null;
        if (chosen == null) {
            return cached(selfSigned.join());
        }
        List<String> files = List.of(chosen.certFile().get().toString(), chosen.keyFile().get().toString());
        return fromFiles.computeIfAbsent(files, f -> {
            PemKeyCertOptions pem = new PemKeyCertOptions().setCertPath(f.get(0)).setKeyPath(f.get(1));
            try {
                return cached(pem.getKeyManagerFactory(vertx));
            } catch (Exception e) {
                // Unreadable or invalid: handed over as they are, the files make only the
                // listeners using them fail to start, with Vert.x's reason; the others serve.
                return pem;
            }
        });
    }

    /** Lets Netty build BoringSSL's key once, not once per handshake. */
    private static KeyCertOptions cached(KeyManagerFactory factory) {
        return KeyCertOptions.wrap(new OpenSslCachingX509KeyManagerFactory(factory));
    }

    /**
     * An in-memory key store for the generated key. JKS: its key protection is a few hash
     * rounds, where PKCS#12's PBKDF2 cost about 70 ms at start for each store and load.
     */
    private static KeyManagerFactory keyManagers(SelfSignedCertificate generated) {
        try {
            char[] password = "in-memory".toCharArray();
            KeyStore store = KeyStore.getInstance("JKS");
            store.load(null, null);
            store.setKeyEntry("tunneld", generated.privateKey(), password,
                    new Certificate[] {generated.certificate()});
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, password);
            return factory;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot load the self-signed certificate", e);
        }
    }

    private static boolean configured(TunneldConfig.Tls tls) {
        if (tls.certFile().isPresent() != tls.keyFile().isPresent()) {
            throw new IllegalStateException("TLS needs both cert-file and key-file, or neither");
        }
        return tls.certFile().isPresent();
    }
}
