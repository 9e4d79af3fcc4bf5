package io.tunneld.tls;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import javax.net.ssl.X509ExtendedTrustManager;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.spi.ObserverMethod;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.ssl.OpenSsl;
import io.quarkus.runtime.ImageMode;
import io.quarkus.runtime.Startup;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.tunneld.config.TunneldConfig;
import io.tunneld.metrics.TunnelMetrics;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.OpenSSLEngineOptions;

/**
 * TLS for the tunnel port and public HTTPS: the configured PEM files, or one self-signed
 * certificate made at start; BoringSSL where its native library loads, the JDK engine
 * otherwise (a native executable) or when {@code tunneld.tls.engine=jdk}. Files that cannot be
 * served (unreadable, not PEM, a key of another certificate) stop the server at start with one
 * line naming them ({@code tunneld.fail-fast}); without fail-fast they keep the listeners using
 * them from starting, with one line each naming the files (the readiness check reports them
 * down, as it does a port that is taken); files that cover neither the domain nor its
 * subdomains get a warning. {@link CertificateReload} serves them again when they change. Each
 * key reaches BoringSSL once, not in every handshake (see
 * {@link SwappableKeyManager#keyCertOptions(boolean)}). With BoringSSL each listener issues
 * session tickets ({@link SessionTicketKeys}: the same keys on every replica of a cluster), so
 * clients resume instead of making a full handshake per connection; the JDK engine keeps the
 * JDK's own session cache. Each listener publishes when its certificate expires.
 */
@Startup(ObserverMethod.DEFAULT_PRIORITY - 100)
@ApplicationScoped
public class ServerTls {

    private static final Logger LOG = Logger.getLogger(ServerTls.class);
    private static final String TUNNEL = "tunnel";
    private static final String HTTPS = "https";
    private static final Duration SELF_SIGNED_VALIDITY = Duration.ofDays(365);
    /** A derived certificate cannot be renewed by a restart: it runs from 2025 for ten years. */
    private static final Duration CLUSTER_SELF_SIGNED_VALIDITY = Duration.ofDays(3650);

    private final TunneldConfig config;
    private final MeterRegistry registry;
    /** BoringSSL, or the JDK engine: one for every listener, chosen once. */
    private final boolean boringSsl;
    /** Made on another thread while the rest of the server starts, when no files are configured. */
    private final CompletableFuture<SwappableKeyManager> selfSigned;
    /** The files each listener serves, by listener name; listeners using the same files share them. */
    private final Map<String, CertificateFiles> files = new HashMap<>();
    /** Why the files of a listener cannot be served, by listener name. */
    private final Map<String, String> unusable = new HashMap<>();
    /** The session ticket keys of each listener, by listener name (BoringSSL only). */
    private final Map<String, SessionTicketKeys> tickets = new HashMap<>();

    public ServerTls(TunneldConfig config, TunnelMetrics metrics, TicketKeyRotation rotation) {
        this.config = config;
        this.registry = metrics.registry();
        // Each listener falls back to the other's files: generate only when neither has any.
        boolean needed = !configured(config.tunnel().tls()) && !configured(config.https().tls());
        String domain = config.domain();
        Optional<String> clusterSecret = config.cluster().redisUrl().flatMap(url -> config.cluster().secret());
        this.selfSigned = needed ? CompletableFuture.supplyAsync(() -> {
            List<String> names = List.of(domain, "*." + domain);
            // Every replica of a cluster makes the same one, so that a client trusting it trusts them all.
            SelfSignedCertificate generated = clusterSecret
                    .map(secret -> SelfSignedCertificate.derived(names, CLUSTER_SELF_SIGNED_VALIDITY, seed(secret, domain)))
                    .orElseGet(() -> SelfSignedCertificate.create(names, SELF_SIGNED_VALIDITY));
            Credentials credentials = Credentials.of(new X509Certificate[] {generated.certificate()},
                    generated.privateKey());
            LOG.warnf("No TLS certificate configured: %s a self-signed one in memory for %s and *.%s "
                    + "(SHA-256 %s). Stock ngrok 1.x release clients will refuse it; see README.",
                    clusterSecret.isPresent() ? "derived from the cluster secret (the same on every replica)"
                            : "generated", domain, domain, credentials.sha256Fingerprint());
            return new SwappableKeyManager(credentials);
        }) : null;
        // After the key's generation has started: loading BoringSSL (about 0.1 s) overlaps it.
        this.boringSsl = config.tls().engine() == TunneldConfig.TlsEngine.AUTO && OpenSSLEngineOptions.isAvailable();
        if (!needed) {
            loadFiles();
        }
        List<String> listeners = config.https().enabled() ? List.of(TUNNEL, HTTPS) : List.of(TUNNEL);
        for (String listener : listeners) {
            publishExpiry(listener);
            if (boringSsl) {
                SessionTicketKeys keys = clusterSecret.map(s -> SessionTicketKeys.fromSecret(s, listener))
                        .orElseGet(() -> SessionTicketKeys.random(listener));
                tickets.put(listener, keys);
                rotation.add(keys);
                publishTickets(listener, keys);
            }
        }
    }

    /** The seed of a cluster's self-signed certificate: its secret, and the domain. */
    private static byte[] seed(String secret, String domain) {
        try {
            return MessageDigest.getInstance("SHA-256")
                    .digest(("tunneld-self-signed\n" + secret + "\n" + domain).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Options for the tunnel port. */
    public NetServerOptions tunnelPort(NetServerOptions options) {
        return secure(options, TUNNEL);
    }

    /** Options for the public HTTPS listener. */
    public NetServerOptions https(NetServerOptions options) {
        return secure(options, HTTPS);
    }

    /**
     * Mutual TLS for links between replicas, on this server's engine: {@code certificate} and
     * {@code key} shown, peers judged by {@code trust} alone.
     */
    public PeerTls peers(X509Certificate certificate, PrivateKey key, X509ExtendedTrustManager trust) {
        return new PeerTls(boringSsl, certificate, key, trust);
    }

    /** Which engine serves TLS, and why the JDK's where BoringSSL was wanted: for the start-up line. */
    public String engine() {
        if (boringSsl) {
            return "BoringSSL (netty-tcnative)";
        }
        if (config.tls().engine() == TunneldConfig.TlsEngine.JDK) {
            return "JDK (tunneld.tls.engine=jdk)";
        }
        if (ImageMode.current() == ImageMode.NATIVE_RUN) {
            // Quarkus's Netty substitutions make OpenSsl unavailable in every native executable.
            return "JDK (BoringSSL cannot serve a native executable)";
        }
        Throwable cause = OpenSsl.unavailabilityCause();
        return "JDK (BoringSSL is not available here" + (cause == null ? ")" : ": " + cause.getMessage() + ")");
    }

    /** The configured files, each once: what {@link CertificateReload} checks. */
    List<CertificateFiles> files() {
        return files.values().stream().distinct().toList();
    }

    private NetServerOptions secure(NetServerOptions options, String listener) {
        options.setSsl(true).setSslEngineOptions(
                boringSsl ? new SessionTicketEngineOptions(tickets.get(listener)) : new JdkSSLEngineOptions());
        String refused = unusable.get(listener);
        return options.setKeyCertOptions(
                refused != null ? new RefusedKeyCert(refused) : keys(listener).keyCertOptions(boringSsl));
    }

    private SwappableKeyManager keys(String listener) {
        CertificateFiles own = files.get(listener);
        return own != null ? own.keys() : selfSigned.join();
    }

    /**
     * The expiry as a timestamp, as cert-manager and the blackbox exporter publish theirs: it
     * changes only when the certificate does, and an alert is one subtraction from time().
     */
    private void publishExpiry(String listener) {
        if (unusable.containsKey(listener)) {
            return;
        }
        Gauge.builder("tunneld.tls.certificate.expiry.timestamp", this,
                tls -> tls.keys(listener).current().notAfter().getEpochSecond())
                .baseUnit("seconds").tag("listener", listener).strongReference(true)
                .description("When the certificate the listener serves expires (its notAfter), in seconds since 1970")
                .register(registry);
    }

    /** How many handshakes resumed from a ticket, and how many tickets no key opened: is resumption working? */
    private void publishTickets(String listener, SessionTicketKeys keys) {
        FunctionCounter.builder("tunneld.tls.sessions.resumed", keys, SessionTicketKeys::resumed)
                .tag("listener", listener)
                .description("TLS handshakes that resumed a session from a ticket instead of a full handshake")
                .register(registry);
        FunctionCounter.builder("tunneld.tls.tickets.refused", keys, SessionTicketKeys::refused)
                .tag("listener", listener)
                .description("Session tickets presented that no current key opens (issued by another secret, "
                        + "or too old): a full handshake each")
                .register(registry);
    }

    /** Loads each configured pair of files once; a pair that cannot be served is kept with its reason. */
    private void loadFiles() {
        Map<String, TunneldConfig.Tls> chosen = new LinkedHashMap<>();
        chosen.put(TUNNEL, configured(config.tunnel().tls()) ? config.tunnel().tls() : config.https().tls());
        if (config.https().enabled()) {
            chosen.put(HTTPS, configured(config.https().tls()) ? config.https().tls() : config.tunnel().tls());
        }
        Map<List<Path>, List<String>> listenersByFiles = new LinkedHashMap<>();
        chosen.forEach((listener, tls) -> listenersByFiles
                .computeIfAbsent(List.of(tls.certFile().get(), tls.keyFile().get()), f -> new ArrayList<>())
                .add(listener));
        listenersByFiles.forEach((paths, listeners) -> {
            try {
                CertificateFiles loaded = CertificateFiles.load(paths.get(0), paths.get(1), config.domain(),
                        String.join(", ", listeners));
                listeners.forEach(l -> files.put(l, loaded));
            } catch (UnusableTlsFilesException e) {
                if (config.failFast()) {
                    throw new ConfigurationException(settingOf(paths) + ": " + e.getMessage());
                }
                listeners.forEach(l -> unusable.put(l, e.getMessage()));
            }
        });
    }

    /** The settings that name these files ({@code tunneld.tunnel.tls}, or the HTTPS ones). */
    private String settingOf(List<Path> paths) {
        TunneldConfig.Tls tunnel = config.tunnel().tls();
        return configured(tunnel) && paths.equals(List.of(tunnel.certFile().get(), tunnel.keyFile().get()))
                ? "tunneld.tunnel.tls" : "tunneld.https.tls";
    }

    /** Whether the files are set; one without the other was refused at start (SettingsCheck). */
    private static boolean configured(TunneldConfig.Tls tls) {
        return tls.certFile().isPresent() && tls.keyFile().isPresent();
    }
}
