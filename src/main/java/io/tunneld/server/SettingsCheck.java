package io.tunneld.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import org.jboss.logging.Logger;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.tunneld.auth.ClientAuthenticator;
import io.tunneld.auth.TokenStrength;
import io.tunneld.config.TunneldConfig;
import io.tunneld.tunnel.UrlAssigner;

/**
 * Refuses, before anything else starts, settings the server could not serve with, or would
 * serve with while refusing every client: the first one found stops the start with a
 * {@link ConfigurationException}, whose message Quarkus prints as the only line (no stack
 * trace) before it exits with status 1. Port 0 (any free port) is allowed for the listeners
 * only in the test and dev profiles: in production nobody could find them. Certificate files
 * that cannot be served are refused by {@link io.tunneld.tls.ServerTls} (with
 * {@code tunneld.fail-fast}), which reads them.
 */
@ApplicationScoped
public class SettingsCheck {

    private static final Logger LOG = Logger.getLogger(SettingsCheck.class);
    private static final Set<String> ANY_ADDRESS = Set.of("0.0.0.0", "::", "[::]", "*", "");
    private static final int MIN_FRAME_LENGTH = 512;

    private final TunneldConfig config;

    public SettingsCheck(TunneldConfig config) {
        this.config = config;
    }

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
        check(config, LaunchMode.current().isDevOrTest());
    }

    /**
     * Throws a {@link ConfigurationException} naming the first wrong setting and why; warns of
     * weak tokens that {@code tunneld.auth.allow-weak-tokens} lets through.
     */
    static void check(TunneldConfig config, boolean anyPortAllowed) {
        domains(config);
        ports(config, anyPortAllowed);
        certificatePairs(config);
        tokens(config);
        limits(config.limits(), config.auth());
        durations(config);
        config.eventLoops().ifPresent(n -> atLeast("tunneld.event-loops", n, 1));
    }

    private static void domains(TunneldConfig config) {
        if (!UrlAssigner.isDnsName(config.domain())) {
            throw refused("tunneld.domain \"" + config.domain() + "\" is not a DNS name (letters, digits and "
                    + "hyphens in labels of at most 63, separated by dots)");
        }
        for (String domain : config.allowedHostnameDomains().orElse(List.of())) {
            if (!domain.isBlank() && !UrlAssigner.isDnsName(domain.trim())) {
                throw refused("tunneld.allowed-hostname-domains holds \"" + domain.trim() + "\", not a DNS name");
            }
        }
    }

    private static void ports(TunneldConfig config, boolean anyPortAllowed) {
        List<Bind> binds = new ArrayList<>();
        binds.add(listener("tunneld.tunnel.port", config.tunnel().host(), config.tunnel().port(), anyPortAllowed));
        if (config.http().enabled()) {
            binds.add(listener("tunneld.http.port", config.http().host(), config.http().port(), anyPortAllowed));
            config.http().publicPort().ifPresent(p -> port("tunneld.http.public-port", p, false));
        }
        if (config.https().enabled()) {
            binds.add(listener("tunneld.https.port", config.https().host(), config.https().port(), anyPortAllowed));
            config.https().publicPort().ifPresent(p -> port("tunneld.https.public-port", p, false));
        }
        if (config.cluster().redisUrl().isPresent()) {
            // 0 is fine here in production too: replicas learn the bound port through Redis.
            binds.add(new Bind("tunneld.cluster.forward-port", config.cluster().advertiseHost().orElse(null),
                    port("tunneld.cluster.forward-port", config.cluster().forwardPort(), true)));
        }
        for (int i = 0; i < binds.size(); i++) {
            for (int j = i + 1; j < binds.size(); j++) {
                Bind a = binds.get(i);
                Bind b = binds.get(j);
                if (a.port() != 0 && a.port() == b.port() && sameAddress(a.host(), b.host())) {
                    throw refused(b.property() + " " + b.port() + " is also " + a.property() + " on the same address");
                }
            }
        }
        if (config.tcp().enabled()) {
            int min = port("tunneld.tcp.port-min", config.tcp().portMin(), false);
            int max = port("tunneld.tcp.port-max", config.tcp().portMax(), false);
            if (min > max) {
                throw refused("tunneld.tcp.port-min " + min + " is above tunneld.tcp.port-max " + max);
            }
            for (Bind b : binds) {
                if (b.port() >= min && b.port() <= max && sameAddress(b.host(), config.tcp().host())) {
                    throw refused("the TCP tunnel range tunneld.tcp.port-min..port-max " + min + "-" + max
                            + " holds " + b.property() + " " + b.port() + " on the same address");
                }
            }
        }
    }

    private static Bind listener(String property, String host, int port, boolean anyPortAllowed) {
        return new Bind(property, host, port(property, port, anyPortAllowed));
    }

    private static int port(String property, int port, boolean zeroAllowed) {
        if (port == 0 && !zeroAllowed) {
            throw refused(property + " is 0: a port is 1 to 65535 (0, any free port, is for tests only)");
        }
        if (port < 0 || port > 65535) {
            throw refused(property + " is " + port + ": a port is 1 to 65535");
        }
        return port;
    }

    /** Two binds of one port clash unless both name addresses, different ones; an unknown one (null) clashes. */
    private static boolean sameAddress(String a, String b) {
        return a == null || b == null || ANY_ADDRESS.contains(a.trim()) || ANY_ADDRESS.contains(b.trim())
                || a.trim().equalsIgnoreCase(b.trim());
    }

    private static void certificatePairs(TunneldConfig config) {
        pair("tunneld.tunnel.tls", config.tunnel().tls());
        pair("tunneld.https.tls", config.https().tls());
    }

    private static void pair(String prefix, TunneldConfig.Tls tls) {
        if (tls.certFile().isPresent() && tls.keyFile().isEmpty()) {
            throw refused(prefix + ".cert-file is set without " + prefix + ".key-file");
        }
        if (tls.keyFile().isPresent() && tls.certFile().isEmpty()) {
            throw refused(prefix + ".key-file is set without " + prefix + ".cert-file");
        }
    }

    private static void tokens(TunneldConfig config) {
        TunneldConfig.Auth auth = config.auth();
        if (!auth.enabled()) {
            return;
        }
        List<String> tokens = ClientAuthenticator.tokens(auth);
        if (auth.tokens().isPresent() && tokens.isEmpty()) {
            throw refused("tunneld.auth.tokens is set but holds no token (leave it unset for a generated one)");
        }
        if (tokens.isEmpty() && config.cluster().redisUrl().isPresent()) {
            throw refused("tunneld.auth.tokens is required with tunneld.cluster.redis-url: a generated token "
                    + "would differ on every replica");
        }
        for (int i = 0; i < tokens.size(); i++) {
            Optional<String> weakness = TokenStrength.weakness(tokens.get(i));
            if (weakness.isEmpty()) {
                continue;
            }
            // By position, as principals are named: the token itself is never printed.
            String what = "tunneld.auth.tokens: token-" + (i + 1) + " " + weakness.get();
            if (!auth.allowWeakTokens()) {
                throw refused(what + "; use a long random one (openssl rand -hex 32), or set "
                        + "tunneld.auth.allow-weak-tokens=true");
            }
            LOG.warnf("%s; accepted, as tunneld.auth.allow-weak-tokens=true", what);
        }
    }

    private static void limits(TunneldConfig.Limits limits, TunneldConfig.Auth auth) {
        atLeast("tunneld.limits.max-frame-length", limits.maxFrameLength(), MIN_FRAME_LENGTH);
        atLeast("tunneld.limits.controls", limits.controls(), 1);
        atLeast("tunneld.limits.tunnels-per-client", limits.tunnelsPerClient(), 1);
        atLeast("tunneld.limits.proxies-per-client", limits.proxiesPerClient(), 1);
        atLeast("tunneld.limits.http-max-head-size", limits.httpMaxHeadSize(), 1);
        atLeast("tunneld.limits.control-write-queue", limits.controlWriteQueue(), 1);
        atLeast("tunneld.limits.waiting-per-tunnel", limits.waitingPerTunnel(), 1);
        atLeast("tunneld.limits.unidentified-connections", limits.unidentifiedConnections(), 1);
        atLeast("tunneld.limits.unidentified-connections-per-address", limits.unidentifiedConnectionsPerAddress(), 1);
        atLeast("tunneld.auth.failure-budget", auth.failureBudget(), 0);
        atLeast("tunneld.auth.failure-table-size", auth.failureTableSize(), 1);
    }

    private static void atLeast(String property, int value, int min) {
        if (value < min) {
            throw refused(property + " is " + value + "; it must be at least " + min);
        }
    }

    private static void durations(TunneldConfig config) {
        TunneldConfig.Timeouts t = config.timeouts();
        positive("tunneld.timeouts.first-frame", t.firstFrame());
        positive("tunneld.timeouts.heartbeat", t.heartbeat());
        positive("tunneld.timeouts.sweep-interval", t.sweepInterval());
        positive("tunneld.timeouts.proxy-wait", t.proxyWait());
        positive("tunneld.timeouts.proxy-idle", t.proxyIdle());
        positive("tunneld.timeouts.http-head", t.httpHead());
        positive("tunneld.timeouts.url-affinity", t.urlAffinity());
        notNegative("tunneld.timeouts.joined-idle", t.joinedIdle());
        notNegative("tunneld.timeouts.drain", t.drain());
        positive("tunneld.auth.penalty-window", config.auth().penaltyWindow());
        notNegative("tunneld.auth.max-delay", config.auth().maxDelay());
        notNegative("tunneld.tls.reload-period", config.tls().reloadPeriod());
        positive("tunneld.cluster.lease", config.cluster().lease());
        positive("tunneld.cluster.redis-timeout", config.cluster().redisTimeout());
    }

    private static void positive(String property, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw refused(property + " is " + (value.isZero() ? "0" : "negative") + "; it must be more than 0");
        }
    }

    private static void notNegative(String property, Duration value) {
        if (value.isNegative()) {
            throw refused(property + " is negative; it must be 0 or more");
        }
    }

    private static ConfigurationException refused(String why) {
        return new ConfigurationException(why);
    }

    /** A port a listener binds, under the setting that names it; a null host is one not known yet. */
    private record Bind(String property, String host, int port) {
    }
}
