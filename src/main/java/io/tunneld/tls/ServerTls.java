package io.tunneld.tls;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.spi.ObserverMethod;

import org.jboss.logging.Logger;

import io.quarkus.runtime.Startup;
import io.tunneld.config.TunneldConfig;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;

/**
 * TLS for the tunnel port and public HTTPS: the configured PEM files, or one self-signed
 * certificate made at start; BoringSSL where its native library loads, the JDK engine
 * otherwise.
 */
@Startup(ObserverMethod.DEFAULT_PRIORITY - 100)
@ApplicationScoped
public class ServerTls {

    private static final Logger LOG = Logger.getLogger(ServerTls.class);

    private final TunneldConfig config;
    /** Made on another thread while the rest of the server starts, when no files are configured. */
    private final CompletableFuture<SelfSignedCertificate> selfSigned;

    public ServerTls(TunneldConfig config) {
        this.config = config;
        // Each listener falls back to the other's files: generate only when neither has any.
        boolean needed = !configured(config.tunnel().tls()) && !configured(config.https().tls());
        String domain = config.domain();
        this.selfSigned = needed ? CompletableFuture.supplyAsync(() -> {
            SelfSignedCertificate generated = SelfSignedCertificate.create(List.of(domain, "*." + domain));
            LOG.warnf("No TLS certificate configured: generated a self-signed one in memory for %s and *.%s "
                    + "(SHA-256 %s). Stock ngrok 1.x release clients will refuse it; see README.",
                    domain, domain, generated.sha256Fingerprint());
            return generated;
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
        options.setSsl(true).setKeyCertOptions(keyCert(listener, own, fallback));
        if (OpenSSLEngineOptions.isAvailable()) {
            options.setSslEngineOptions(new OpenSSLEngineOptions());
        } else {
            LOG.warnf("BoringSSL is not available on this platform; %s uses the JDK TLS engine", listener);
            options.setSslEngineOptions(new JdkSSLEngineOptions());
        }
        return options;
    }

    private KeyCertOptions keyCert(String listener, TunneldConfig.Tls own, TunneldConfig.Tls fallback) {
        TunneldConfig.Tls chosen = configured(own) ? own : configured(fallback) ? fallback : null;
        if (chosen != null) {
            return new PemKeyCertOptions()
                    .setCertPath(chosen.certFile().get().toString())
                    .setKeyPath(chosen.keyFile().get().toString());
        }
        SelfSignedCertificate generated = selfSigned.join();
        return new PemKeyCertOptions().setCertValue(generated.certPem()).setKeyValue(generated.keyPem());
    }

    private static boolean configured(TunneldConfig.Tls tls) {
        if (tls.certFile().isPresent() != tls.keyFile().isPresent()) {
            throw new IllegalStateException("TLS needs both cert-file and key-file, or neither");
        }
        return tls.certFile().isPresent();
    }
}
