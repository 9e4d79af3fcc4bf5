package io.tunneld.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Every setting of tunneld, under the {@code tunneld.*} prefix; each key is also an
 * environment variable ({@code tunneld.http.port} is {@code TUNNELD_HTTP_PORT}).
 */
@ConfigMapping(prefix = "tunneld")
public interface TunneldConfig {

    /**
     * Base domain of tunnel URLs: subdomain tunnels become {@code <sub>.<domain>}. A DNS name:
     * labels of letters, digits and hyphens, separated by dots.
     */
    @WithDefault("localhost")
    String domain();

    /**
     * Domains under which clients may claim a full {@code Hostname}; empty means only
     * subdomains of {@link #domain()}.
     */
    Optional<List<String>> allowedHostnameDomains();

    /**
     * Event loops serving the listeners, each taking connections on every port, TCP tunnel
     * ports included (default: one per core). A public connection and a proxy on different
     * loops hand every buffer across threads, so on a machine shared with other busy
     * processes fewer can be faster.
     */
    Optional<Integer> eventLoops();

    /**
     * A listener that cannot start (its port is taken, its certificate files cannot be served)
     * stops the server at start, with one line naming it. False keeps the server running with
     * that listener down, reported by the readiness check, for operators who want the rest
     * served meanwhile.
     */
    @WithDefault("true")
    boolean failFast();

    /** The TLS port that ngrok clients connect to for control and proxy connections. */
    TunnelListener tunnel();

    /** Public plain-HTTP listener. */
    PublicListener http();

    /** Public HTTPS listener (TLS terminated here). */
    HttpsListener https();

    /** TCP tunnels. */
    Tcp tcp();

    /** Client authentication. */
    Auth auth();

    /** Checks that trade compatibility with some clients for safety; all off by default. */
    Security security();

    /** Limits that keep one client, or a broken one, from hurting the others. */
    Limits limits();

    /** Deadlines and heartbeat timing. */
    Timeouts timeouts();

    /** The TLS engine, and how configured certificate files are kept current. */
    TlsCommon tls();

    /** Many replicas behind one address, sharing state in Redis; without Redis, a single node. */
    Cluster cluster();

    /** A PEM certificate chain and its private key; both unset means a generated self-signed pair. */
    interface Tls {
        /** PEM file with the certificate chain. */
        Optional<Path> certFile();

        /** PEM file with the private key (PKCS#8 or PKCS#1). */
        Optional<Path> keyFile();
    }

    /** What every TLS listener shares: its engine, and reloading files that change (a renewal). */
    interface TlsCommon {
        /**
         * Which TLS engine serves the tunnel port and public HTTPS: {@code auto} is BoringSSL
         * (netty-tcnative) where its native library loads, the JDK's engine otherwise (always in
         * the native executable); {@code jdk} is the JDK's engine everywhere.
         */
        @WithDefault("auto")
        TlsEngine engine();

        /**
         * How often the certificate and key files are read again; new content is served to new
         * handshakes. Zero turns reloading off.
         */
        @WithDefault("1m")
        Duration reloadPeriod();
    }

    /** See {@link TlsCommon#engine()}. */
    enum TlsEngine {
        AUTO,
        JDK
    }

    /** The tunnel port. */
    interface TunnelListener {
        @WithDefault("0.0.0.0")
        String host();

        /** 1-65535; 0 (any free port) only in the test and dev profiles. */
        @WithDefault("4443")
        int port();

        /** Certificate for the tunnel port; falls back to the HTTPS one, then to a self-signed one. */
        Tls tls();
    }

    /** A public listener. */
    interface PublicListener {
        @WithDefault("true")
        boolean enabled();

        @WithDefault("0.0.0.0")
        String host();

        /** 1-65535; 0 (any free port) only in the test and dev profiles. */
        @WithDefault("8880")
        int port();

        /**
         * Port the world uses to reach this listener, as shown in tunnel URLs (for example 80
         * behind a load balancer). Defaults to the bound port.
         */
        Optional<Integer> publicPort();
    }

    /** The public HTTPS listener. */
    interface HttpsListener {
        @WithDefault("true")
        boolean enabled();

        @WithDefault("0.0.0.0")
        String host();

        /** 1-65535; 0 (any free port) only in the test and dev profiles. */
        @WithDefault("8443")
        int port();

        /** See {@link PublicListener#publicPort()}. */
        Optional<Integer> publicPort();

        /** Certificate for public HTTPS; falls back to the tunnel port's, then to a self-signed one. */
        Tls tls();
    }

    /** TCP tunnels: where they bind and which ports clients may have. */
    interface Tcp {
        @WithDefault("true")
        boolean enabled();

        /** Address TCP tunnel listeners bind to. */
        @WithDefault("0.0.0.0")
        String host();

        /**
         * Lowest port a TCP tunnel may use. The range may not overlap another listener's port
         * on the same address.
         */
        @WithDefault("10000")
        int portMin();

        /** Highest port a TCP tunnel may use. */
        @WithDefault("10999")
        int portMax();
    }

    /** Client authentication by token ({@code Auth.User} in the protocol). */
    interface Auth {
        /** When false, any client is accepted, as with ngrokd 1.x. */
        @WithDefault("true")
        boolean enabled();

        /**
         * Accepted tokens; none configured (and auth enabled) means one is generated at start,
         * which a cluster cannot share, so a cluster requires them. Each must be at least 16
         * characters and no placeholder (see {@code TokenStrength}) unless
         * {@link #allowWeakTokens()}.
         */
        Optional<List<String>> tokens();

        /**
         * Accept short and placeholder tokens (with a warning at start): for development, and
         * for old clients that send a fixed user name as their token.
         */
        @WithDefault("false")
        boolean allowWeakTokens();

        /**
         * Wrong tokens a source (an IPv4 address or an IPv6 /64) or a presented ClientId may send
         * within {@link #penaltyWindow()} before every Auth answer it gets is held back.
         */
        @WithDefault("10")
        int failureBudget();

        /** How long failures are remembered, counted from the latest one. */
        @WithDefault("10m")
        Duration penaltyWindow();

        /**
         * Longest hold of an Auth answer under penalty, for right tokens and wrong ones alike
         * (the first held answer waits 100 ms, each further failure doubles it); 0 holds none.
         */
        @WithDefault("2s")
        Duration maxDelay();

        /**
         * Sources and ClientIds with recent failures that are remembered; when full, the one
         * not under penalty whose latest failure is oldest is forgotten first.
         */
        @WithDefault("10000")
        int failureTableSize();
    }

    /** Stricter checks. */
    interface Security {
        /**
         * Refuse a proxy connection ({@code RegProxy}) from another source than its session's
         * control connection (another IPv4 address, or another IPv6 /64).
         */
        @WithDefault("false")
        boolean proxySameAddress();
    }

    /** Limits. */
    interface Limits {
        /**
         * Largest frame a client may send, in bytes, at least 512 (1.x frames are a few hundred
         * bytes). Every other limit must be at least 1 (the failure budget at least 0).
         */
        @WithDefault("4096")
        int maxFrameLength();

        /** Control connections (client sessions) on this server. */
        @WithDefault("5000")
        int controls();

        /** Tunnels one client session may hold. */
        @WithDefault("16")
        int tunnelsPerClient();

        /** Idle proxy connections one client session may park with the server. */
        @WithDefault("10")
        int proxiesPerClient();

        /** Largest public HTTP request head (request line and headers), in bytes. */
        @WithDefault("32768")
        int httpMaxHeadSize();

        /**
         * Control frames waiting to be sent to one client before it is dropped: it does not
         * read them, or sends requests faster than it reads the answers.
         */
        @WithDefault("1024")
        int controlWriteQueue();

        /**
         * Public connections of one tunnel waiting for a proxy connection at once; more are
         * refused (HTTP: 503), so a flood of one tunnel's visitors costs that tunnel only.
         */
        @WithDefault("1000")
        int waitingPerTunnel();

        /**
         * Tunnel-port connections that have not sent their first frame yet (counted once the
         * TLS handshake is done), on the whole server; more are closed at once.
         */
        @WithDefault("1000")
        int unidentifiedConnections();

        /**
         * As {@link #unidentifiedConnections()}, per source address (an IPv6 address counts by
         * its /64): a peer that holds many silent connections open fills its own share only.
         */
        @WithDefault("50")
        int unidentifiedConnectionsPerAddress();
    }

    /**
     * Deadlines; each must be positive but for {@link #joinedIdle()} and {@link #drain()}, which
     * may be 0.
     */
    interface Timeouts {
        /** A new tunnel-port connection must send its first frame within this time. */
        @WithDefault("10s")
        Duration firstFrame();

        /** A control with no Ping for this long is dead. */
        @WithDefault("30s")
        Duration heartbeat();

        /** How often controls are checked for lost heartbeats and stale proxies. */
        @WithDefault("10s")
        Duration sweepInterval();

        /** How long a public connection waits for a proxy connection before it gets a 502. */
        @WithDefault("10s")
        Duration proxyWait();

        /** A pooled proxy connection unused for this long is closed (NATs drop idle flows). */
        @WithDefault("60s")
        Duration proxyIdle();

        /** A public HTTP client must send its whole request head within this time. */
        @WithDefault("10s")
        Duration httpHead();

        /** How long a disconnected client's URLs and TCP ports are kept for its reconnect. */
        @WithDefault("24h")
        Duration urlAffinity();

        /**
         * A joined connection through which no byte has moved either way for this long is
         * closed (0: never). Long, since SSH sessions and websockets may sit idle for hours.
         */
        @WithDefault("1h")
        Duration joinedIdle();

        /**
         * On a stop (SIGTERM), how long public connections already accepted (joined, or still
         * sending a request or waiting for a proxy) may take to finish before the sessions are
         * closed (their clients reconnect, to another replica in a cluster). Fits Kubernetes'
         * default 30 s grace period.
         */
        @WithDefault("25s")
        Duration drain();
    }

    /** Replicas sharing sessions, names and TCP ports through Redis. */
    interface Cluster {
        /**
         * Redis to share state through, {@code redis://[:password@]host:port[/db]} or
         * {@code rediss://...} for TLS; several, comma-separated, for Sentinel or Redis Cluster
         * (with {@code quarkus.redis.client-type}). Unset: a single node, state in memory.
         */
        Optional<String> redisUrl();

        /**
         * Shared by every replica (keep it in a Secret), at least 16 characters: replicas prove
         * it to each other on the forward port, and it keys the verifiers of tunnels'
         * basic-auth credentials in Redis. Required with {@link #redisUrl()}.
         */
        Optional<String> secret();

        /**
         * The internal port other replicas forward connections to; 0 picks a free one (replicas
         * learn it through Redis).
         */
        @WithDefault("4480")
        int forwardPort();

        /**
         * Whether replicas speak TLS to each other on the forward port, each showing a
         * certificate it made at start and signed over with the secret. Every replica must
         * agree. Off only where the network between pods is encrypted already (a service mesh).
         */
        @WithDefault("true")
        boolean forwardTls();

        /**
         * The address other replicas dial to reach this one (the pod IP on Kubernetes), and the
         * address the forward port listens on. Default: this host's address.
         */
        Optional<String> advertiseHost();

        /**
         * A replica whose lease is not renewed for this long is taken as dead, and the names
         * its sessions held are freed. Renewed four times as often.
         */
        @WithDefault("20s")
        Duration lease();

        /** Prefix of every Redis key (as a hash tag), so several clusters can share one Redis. */
        @WithDefault("tunneld")
        String keyPrefix();

        /** A Redis call that takes longer has failed: new sessions and tunnels get refused, not stuck. */
        @WithDefault("2s")
        Duration redisTimeout();
    }
}
