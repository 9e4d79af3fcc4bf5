package io.tunneld.client.session;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

import io.tunneld.client.config.ClientConfig;
import io.tunneld.client.config.ConfigException;
import io.tunneld.client.config.TunnelConfig;
import io.tunneld.client.log.ClientLog;
import io.tunneld.client.observe.ClientObserver;
import io.tunneld.client.observe.OpenTunnel;
import io.tunneld.client.relay.ProxyRelay;
import io.tunneld.protocol.Auth;
import io.tunneld.protocol.AuthResp;
import io.tunneld.protocol.FrameReader;
import io.tunneld.protocol.FrameWriter;
import io.tunneld.protocol.Message;
import io.tunneld.protocol.NewTunnel;
import io.tunneld.protocol.PeerText;
import io.tunneld.protocol.Ping;
import io.tunneld.protocol.Pong;
import io.tunneld.protocol.ReqProxy;
import io.tunneld.protocol.ReqTunnel;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;

/**
 * A running client: one control connection to the server at a time, re-opened after any
 * failure with backoff and the same ClientId (so the server gives the same URLs back), and
 * the proxy connections the server asks for. Stops for good only when the server refuses the
 * token or a tunnel, or the certificate is not trusted. Runs on a Vert.x of its own; the
 * control connection is handled on one context.
 */
public final class ClientSession implements AutoCloseable {

    /** Sent as Auth.Version and Auth.MmVersion: the 1.7 client's. */
    static final String PROTOCOL_VERSION = "2";
    public static final String CLIENT_VERSION = "1.7";

    /** Frames on the control connection are small; anything near this is an error. */
    private static final int MAX_CONTROL_FRAME = 64 * 1024;

    private final Vertx vertx;
    private final Context context;
    private final ClientConfig config;
    private final ClientLog log;
    private final ClientObserver observer;
    private final ServerDialer dialer;
    private final ProxyStarter proxies;
    private final Backoff backoff = new Backoff();
    private final Map<String, OpenTunnel> tunnels = new ConcurrentHashMap<>();
    private final Promise<String> stopped = Promise.promise();
    private final Promise<Void> accepted = Promise.promise();
    private volatile String clientId = "";
    private volatile boolean closing;

    private ClientSession(Vertx vertx, ClientConfig config, ClientLog log, ClientObserver observer)
            throws ConfigException {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.config = config;
        this.log = log;
        this.observer = observer;
        this.dialer = new ServerDialer(vertx, config);
        ProxyRelay relay = new ProxyRelay(vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true)), observer,
                log);
        this.proxies = new ProxyStarter(dialer, relay, log);
    }

    /** Starts connecting to the server; returns at once. */
    public static ClientSession start(ClientConfig config, ClientLog log, ClientObserver observer)
            throws ConfigException {
        Vertx vertx = Vertx.vertx(new VertxOptions()
                .setEventLoopPoolSize(Math.max(2, Runtime.getRuntime().availableProcessors()))
                .setPreferNativeTransport(true)
                // The client serves no files: no cache directory in /tmp.
                .setFileSystemOptions(new FileSystemOptions().setFileCachingEnabled(false)
                        .setClassPathResolvingEnabled(false)));
        ClientSession session;
        try {
            session = new ClientSession(vertx, config, log, observer);
        } catch (ConfigException | RuntimeException e) {
            vertx.close();
            throw e;
        }
        session.context.runOnContext(v -> session.connect());
        return session;
    }

    /** Completes with the one-line reason when the client stops for good. */
    public Future<String> stopped() {
        return stopped.future();
    }

    /** Completes when the server first accepts the Auth (the token is good). */
    public Future<Void> authenticated() {
        return accepted.future();
    }

    /** The client's Vert.x, for the views that serve or connect (the inspection page). */
    public Vertx vertx() {
        return vertx;
    }

    /** The tunnels the server has opened in the current session. */
    public List<OpenTunnel> tunnels() {
        return List.copyOf(tunnels.values());
    }

    /** Closes every connection and the client's Vert.x. */
    @Override
    public void close() {
        closing = true;
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    private void connect() {
        if (closing) {
            return;
        }
        observer.connecting(dialer.serverAddr());
        log.debug("client", "Connecting to " + dialer.serverAddr());
        dialer.dial().onComplete(ar -> {
            if (ar.failed()) {
                String reason = dialer.describe(ar.cause());
                if (Failures.untrustedCertificate(ar.cause())) {
                    stop(reason);
                } else {
                    retry(reason);
                }
            } else if (closing) {
                ar.result().close();
            } else {
                new Control(ar.result()).start();
            }
        });
    }

    private void retry(String reason) {
        if (closing) {
            return;
        }
        Duration delay = backoff.next();
        log.warn("client", reason + ". Reconnecting in " + String.format(Locale.ROOT, "%.1f", delay.toMillis() / 1000.0)
                + " s" + (clientId.isEmpty() ? "" : " as client " + shortId(clientId) + ", to get the same URLs back"));
        observer.reconnecting(reason, delay);
        vertx.setTimer(Math.max(1, delay.toMillis()), t -> connect());
    }

    private void stop(String message) {
        if (closing) {
            return;
        }
        closing = true;
        log.error("client", message);
        observer.stopped(message);
        stopped.tryComplete(message);
    }

    /** Enough of a ClientId to tell sessions apart in a log, not enough to hijack one. */
    static String shortId(String id) {
        return id.length() <= 8 ? id : id.substring(0, 8) + "...";
    }

    static String goOs() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.startsWith("mac")) {
            return "darwin";
        }
        return os.startsWith("windows") ? "windows" : os.split(" ")[0];
    }

    static String goArch() {
        String arch = System.getProperty("os.arch", "");
        return switch (arch) {
            case "x86_64", "amd64" -> "amd64";
            case "aarch64" -> "arm64";
            case "x86", "i386", "i686" -> "386";
            default -> arch;
        };
    }

    /** One control connection, from Auth to close. */
    private final class Control {

        private final NetSocket socket;
        private final Map<String, TunnelConfig> requested = new HashMap<>();
        private FrameWriter writer;
        private Heartbeat heartbeat;
        private long checkTimer = -1;
        private long pingTimer = -1;
        private boolean authenticated;
        private String failure;

        Control(NetSocket socket) {
            this.socket = socket;
        }

        void start() {
            log.debug("ctl", "New connection to: " + socket.remoteAddress());
            writer = new FrameWriter(socket, context, 64);
            socket.handler(new FrameReader(MAX_CONTROL_FRAME, this::onMessage, e -> {
                failure = "server " + dialer.serverAddr() + " sent a malformed frame: " + e.getMessage();
                socket.close();
            }));
            socket.exceptionHandler(e -> {
                if (failure == null) {
                    failure = dialer.describe(e);
                }
                socket.close();
            });
            socket.closeHandler(v -> onClose());
            writer.send(new Auth(PROTOCOL_VERSION, CLIENT_VERSION, config.authToken(), "", goOs(), goArch(), clientId));
        }

        private void onMessage(Message m) {
            if (m instanceof ReqProxy) {
                if (authenticated) {
                    proxies.open(clientId, tunnels::get);
                }
            } else if (m instanceof Pong) {
                heartbeat.ponged(System.nanoTime());
            } else if (m instanceof NewTunnel n) {
                onNewTunnel(n);
            } else if (m instanceof AuthResp r) {
                onAuthResp(r);
            } else {
                log.warn("ctl", "Ignoring unknown control message " + m.getClass().getSimpleName());
            }
        }

        private void onAuthResp(AuthResp r) {
            if (authenticated) {
                return;
            }
            if (!r.error().isEmpty()) {
                stop("Failed to authenticate to server: " + PeerText.printable(r.error()));
                socket.close();
                return;
            }
            authenticated = true;
            clientId = r.clientId();
            backoff.reset();
            tunnels.clear();
            log.info("client", "Authenticated with server, client id: " + shortId(clientId));
            observer.online(r.mmVersion());
            accepted.tryComplete();
            for (TunnelConfig t : config.tunnels()) {
                String reqId = Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
                requested.put(reqId, t);
                writer.send(new ReqTunnel(reqId, t.protocolField(), t.hostname(), t.subdomain(), t.auth(),
                        t.remotePort()));
            }
            heartbeat = new Heartbeat(System.nanoTime());
            pingTimer = vertx.setPeriodic(Heartbeat.PING_INTERVAL_MS, t -> {
                writer.send(new Ping());
                heartbeat.pinged(System.nanoTime());
            });
            checkTimer = vertx.setPeriodic(Heartbeat.CHECK_INTERVAL_MS, t -> {
                long stale = heartbeat.staleSeconds(System.nanoTime());
                if (stale >= 0) {
                    failure = "Connection stale, haven't gotten PongMsg in " + stale + " seconds";
                    socket.close();
                }
            });
        }

        private void onNewTunnel(NewTunnel n) {
            if (!n.error().isEmpty()) {
                stop("Server failed to allocate tunnel: " + PeerText.printable(n.error()));
                socket.close();
                return;
            }
            TunnelConfig t = requested.get(n.reqId());
            String local = t == null ? null : t.protocols().get(n.protocol());
            if (local == null) {
                log.warn("ctl", "Ignoring NewTunnel for a request not made: " + PeerText.printable(n.reqId()) + " "
                        + PeerText.printable(n.protocol()));
                return;
            }
            OpenTunnel open = new OpenTunnel(t.name(), n.url(), n.protocol(), local);
            tunnels.put(n.url(), open);
            // Tools read this line; the URL whole (only unprintable characters replaced).
            log.info("client", "Tunnel established at " + n.url().replaceAll("[^\\x20-\\x7e]", "?"));
            observer.tunnelOpened(open);
        }

        private void onClose() {
            vertx.cancelTimer(pingTimer);
            vertx.cancelTimer(checkTimer);
            retry(failure != null ? failure : "Server " + dialer.serverAddr() + " closed the control connection");
        }
    }
}
