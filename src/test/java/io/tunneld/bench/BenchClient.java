package io.tunneld.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.ReferenceCountUtil;
import io.tunneld.protocol.Auth;
import io.tunneld.protocol.AuthResp;
import io.tunneld.protocol.FrameCodec;
import io.tunneld.protocol.FrameReader;
import io.tunneld.protocol.NewTunnel;
import io.tunneld.protocol.Ping;
import io.tunneld.protocol.ProtocolException;
import io.tunneld.protocol.RegProxy;
import io.tunneld.protocol.ReqProxy;
import io.tunneld.protocol.ReqTunnel;
import io.tunneld.protocol.StartProxy;
import io.tunneld.proxy.ProxyJoin;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.impl.NetSocketInternal;

/**
 * The benchmark's ngrok 1.x client. It behaves as the stock Go client does on the wire: one
 * control connection, and for every {@code ReqProxy} one new TLS proxy connection that
 * sends {@code RegProxy}, waits for {@code StartProxy}, dials the local service and joins
 * the two. It shares the machine with tunneld, and on two cores it costs about as much CPU
 * per request as tunneld does (the benchmark prints both), still two to three times less
 * than the Go client.
 *
 * <pre>
 * BenchClient --server HOST:PORT --token T [--http SUB=HOST:PORT]... [--tcp PORT=HOST:PORT]...
 * BenchClient --server HOST:PORT --token T --idle-controls N
 * </pre>
 * Prints {@code TUNNEL url -> target} per tunnel and {@code READY} (or {@code IDLE-READY N}),
 * then runs until killed.
 */
public final class BenchClient {

    /** A tunnel to ask for and where its traffic goes. */
    record Wanted(String protocol, String subdomain, int remotePort, SocketAddress target) {
    }

    private final Vertx vertx;
    private final NetClient tls;
    private final NetClient plain;
    private final SocketAddress server;
    private final String token;

    BenchClient(Vertx vertx, SocketAddress server, String token) {
        this.vertx = vertx;
        this.server = server;
        this.token = token;
        NetClientOptions tlsOptions = new NetClientOptions().setSsl(true).setTrustAll(true)
                .setHostnameVerificationAlgorithm("").setTcpNoDelay(true);
        if (OpenSSLEngineOptions.isAvailable()) {
            tlsOptions.setSslEngineOptions(new OpenSSLEngineOptions());
        }
        this.tls = vertx.createNetClient(tlsOptions);
        this.plain = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true));
    }

    public static void main(String[] args) throws Exception {
        SocketAddress server = null;
        String token = "";
        int idle = 0;
        List<Wanted> wanted = new ArrayList<>();
        for (int i = 0; i < args.length; i += 2) {
            String value = args[i + 1];
            switch (args[i]) {
                case "--server" -> server = address(value);
                case "--token" -> token = value;
                case "--idle-controls" -> idle = Integer.parseInt(value);
                case "--http" -> wanted.add(new Wanted("http", value.substring(0, value.indexOf('=')), 0,
                        address(value.substring(value.indexOf('=') + 1))));
                case "--tcp" -> wanted.add(new Wanted("tcp", "", Integer.parseInt(value.substring(0, value.indexOf('='))),
                        address(value.substring(value.indexOf('=') + 1))));
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (server == null) {
            throw new IllegalArgumentException("--server HOST:PORT is required");
        }
        // No session resumption: the Go 1.x client has no session cache and makes a full
        // handshake (certificate, signature) per proxy. Netty's client keeps sessions and
        // TLS 1.3 tickets per host and port unless told not to before its first context, and
        // Vert.x's session-cache option reaches only server contexts.
        System.setProperty("io.netty.handler.ssl.openssl.sessionCacheClient", "false");
        System.setProperty("jdk.tls.client.enableSessionTicketExtension", "false");
        Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
        BenchClient client = new BenchClient(vertx, server, token);
        if (idle > 0) {
            CountDownLatch ready = new CountDownLatch(idle);
            for (int i = 0; i < idle; i++) {
                SocketAddress nowhere = SocketAddress.inetSocketAddress(9, "127.0.0.1");
                client.session(List.of(new Wanted("http", "idle" + i + "a", 0, nowhere),
                        new Wanted("http", "idle" + i + "b", 0, nowhere)), ready::countDown, false);
                if (i % 50 == 49) {
                    Thread.sleep(100); // do not flood the server's accept queue with handshakes
                }
            }
            if (!ready.await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("idle controls not ready: " + ready.getCount() + " missing");
            }
            System.out.println("IDLE-READY " + idle);
        } else {
            CountDownLatch ready = new CountDownLatch(1);
            client.session(wanted, ready::countDown, true);
            if (!ready.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("tunnels not ready");
            }
            System.out.println("READY");
        }
        Thread.currentThread().join();
    }

    /** Opens one control session with these tunnels; runs {@code onReady} when all are up. */
    void session(List<Wanted> tunnels, Runnable onReady, boolean print) {
        Map<String, SocketAddress> targets = new ConcurrentHashMap<>();
        AtomicInteger pending = new AtomicInteger(tunnels.size());
        String[] clientId = { "" };
        tls.connect(server).onFailure(e -> fail("control connection failed: " + e.getMessage())).onSuccess(control -> {
            FrameReader reader = new FrameReader(1 << 16, message -> {
                if (message instanceof AuthResp resp) {
                    if (!resp.error().isEmpty()) {
                        fail("auth refused: " + resp.error());
                    }
                    clientId[0] = resp.clientId();
                    int n = 0;
                    for (Wanted w : tunnels) {
                        control.write(FrameCodec.encode(new ReqTunnel("r" + n++, w.protocol(), "", w.subdomain(), "",
                                w.remotePort())));
                    }
                } else if (message instanceof NewTunnel created) {
                    if (!created.error().isEmpty()) {
                        fail("tunnel refused: " + created.error());
                    }
                    Wanted w = tunnels.get(Integer.parseInt(created.reqId().substring(1)));
                    targets.put(created.url(), w.target());
                    if (print) {
                        System.out.println("TUNNEL " + created.url() + " -> " + w.target());
                    }
                    if (pending.decrementAndGet() == 0) {
                        onReady.run();
                    }
                } else if (message instanceof ReqProxy) {
                    proxy(clientId[0], targets);
                }
            }, e -> fail("control: " + e.getMessage()));
            control.handler(reader);
            control.closeHandler(v -> fail("control connection closed by the server"));
            control.write(FrameCodec.encode(new Auth("2", "1.7", token, "", "linux", "amd64", "")));
            vertx.setPeriodic(20_000, t -> control.write(FrameCodec.encode(new Ping())));
        });
    }

    /**
     * One proxy connection: RegProxy, wait for StartProxy, dial the target, join. Bytes are
     * relayed as Netty buffers, as the server does ({@link ProxyJoin#relay}): Vert.x's
     * pipes would copy each buffer twice more, on the machine tunneld is measured on.
     */
    private void proxy(String clientId, Map<String, SocketAddress> targets) {
        tls.connect(server).onFailure(e -> System.err.println("BenchClient: proxy connection failed: " + e.getMessage()))
                .onSuccess(proxy -> {
            // Everything read until the join: the StartProxy frame, then the first public bytes.
            Buffer pending = Buffer.buffer();
            boolean[] started = {false};
            ((NetSocketInternal) proxy).messageHandler(message -> {
                if (!(message instanceof ByteBuf data)) {
                    ReferenceCountUtil.release(message);
                    return;
                }
                try {
                    pending.appendBytes(ByteBufUtil.getBytes(data));
                } finally {
                    data.release();
                }
                if (started[0] || pending.length() < FrameCodec.HEADER_LENGTH
                        || pending.length() < FrameCodec.HEADER_LENGTH + (int) pending.getLongLE(0)) {
                    return;
                }
                started[0] = true;
                ProxyJoin.hold(proxy);
                try {
                    int length = (int) pending.getLongLE(0);
                    StartProxy start = (StartProxy) FrameCodec.decode(
                            pending.getBuffer(FrameCodec.HEADER_LENGTH, FrameCodec.HEADER_LENGTH + length));
                    join(proxy, start, pending, FrameCodec.HEADER_LENGTH + length, targets);
                } catch (ProtocolException | ClassCastException e) {
                    proxy.close();
                }
            });
            proxy.write(FrameCodec.encode(new RegProxy(clientId)));
        });
    }

    /** Dials the target, sends it what followed StartProxy in {@code pending}, then relays. */
    private void join(NetSocket proxy, StartProxy start, Buffer pending, int firstByte,
            Map<String, SocketAddress> targets) {
        SocketAddress target = targets.get(start.url());
        if (target == null) {
            proxy.close();
            return;
        }
        plain.connect(target).onFailure(e -> proxy.close()).onSuccess(local -> {
            if (pending.length() > firstByte) {
                local.write(pending.getBuffer(firstByte, pending.length()));
            }
            ProxyJoin.relay(proxy, local, n -> { });
            ProxyJoin.relay(local, proxy, n -> { });
            ProxyJoin.release(proxy);
        });
    }

    private static SocketAddress address(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return SocketAddress.inetSocketAddress(Integer.parseInt(hostPort.substring(colon + 1)),
                hostPort.substring(0, colon));
    }

    private static void fail(String why) {
        System.err.println("BenchClient: " + why);
        System.exit(1);
    }
}
