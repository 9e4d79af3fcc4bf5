package io.tunneld.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.tunneld.client.tls.ServerSessions;
import io.tunneld.testsupport.PemFiles;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemTrustOptions;

/**
 * Session tickets over real sockets and real TLS (BoringSSL on both sides): a second
 * connection resumes; a ticket from one replica opens on another with the same secret (the
 * client reaches both through one address, as behind a load balancer); a ticket from another
 * secret costs a full handshake and nothing else; a server without tickets still serves; the
 * shipped client keeps a bounded number of sessions.
 */
class SessionTicketsTest {

    private static final String SECRET = "a-cluster-secret-of-some-length";
    private static final String NAME = "tunnel.example.test";

    private Vertx vertx;
    private SwappableKeyManager keys;
    private String certificatePem;
    /** Where the relay that stands for the load balancer sends the next connection. */
    private final AtomicInteger target = new AtomicInteger();
    private int relayPort;
    /** The one TLS version the client offers. */
    private String protocol;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(OpenSsl.isAvailable(), "BoringSSL (netty-tcnative) is not available here");
        vertx = Vertx.vertx();
        SelfSignedCertificate self = SelfSignedCertificate.create(List.of(NAME), Duration.ofDays(1));
        keys = new SwappableKeyManager(Credentials.of(new X509Certificate[] {self.certificate()}, self.privateKey()));
        certificatePem = PemFiles.pem("CERTIFICATE", self.certificate().getEncoded());
        relayPort = await(vertx.createNetServer().connectHandler(in -> {
            in.pause();
            vertx.createNetClient().connect(target.get(), "127.0.0.1").onSuccess(out -> {
                in.pipeTo(out);
                out.pipeTo(in);
                in.resume();
            }).onFailure(e -> in.close());
        }).listen(0, "127.0.0.1")).actualPort();
    }

    @AfterEach
    void stop() throws Exception {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void secondConnectionResumesFromTheTicket() throws Exception {
        SessionTicketKeys tickets = SessionTicketKeys.random("tunnel");
        target.set(server(new SessionTicketEngineOptions(tickets)));
        NetClient client = client("TLSv1.3");
        greet(client);
        assertEquals(0, tickets.resumed());
        greet(client);
        greet(client);
        assertEquals(2, tickets.resumed(), "the later connections resume");
    }

    @Test
    void tlsTwelveResumesFromTheTicketToo() throws Exception {
        SessionTicketKeys tickets = SessionTicketKeys.random("tunnel");
        target.set(server(new SessionTicketEngineOptions(tickets)));
        NetClient client = client("TLSv1.2");
        greet(client);
        greet(client);
        assertEquals(1, tickets.resumed());
    }

    @Test
    void afterTwoRotationsAnOldTicketCostsAFullHandshake() throws Exception {
        SessionTicketKeys tickets = SessionTicketKeys.random("tunnel");
        target.set(server(new SessionTicketEngineOptions(tickets)));
        NetClient client = client("TLSv1.3");
        greet(client);
        tickets.rotate(Instant.now().plus(SessionTicketKeys.WINDOW));
        greet(client);
        assertEquals(1, tickets.resumed(), "the previous hour's ticket still opens");
        tickets.rotate(Instant.now().plus(SessionTicketKeys.WINDOW.multipliedBy(3)));
        greet(client);
        assertEquals(1, tickets.resumed());
        assertTrue(tickets.refused() >= 1, "tickets of three hours ago are refused, and the handshake completes");
    }

    @Test
    void aTicketFromOneReplicaOpensOnAnotherWithTheSameSecret() throws Exception {
        SessionTicketKeys a = SessionTicketKeys.fromSecret(SECRET, "tunnel");
        SessionTicketKeys b = SessionTicketKeys.fromSecret(SECRET, "tunnel");
        SessionTicketKeys stranger = SessionTicketKeys.fromSecret(SECRET + "-other", "tunnel");
        int portA = server(new SessionTicketEngineOptions(a));
        int portB = server(new SessionTicketEngineOptions(b));
        int portStranger = server(new SessionTicketEngineOptions(stranger));
        NetClient client = client("TLSv1.3");
        target.set(portA);
        greet(client);
        target.set(portB);
        greet(client);
        assertEquals(1, b.resumed(), "B opened A's ticket");
        target.set(portStranger);
        greet(client);
        assertEquals(0, stranger.resumed());
        assertTrue(stranger.refused() >= 1, "another secret's ticket is refused, and the handshake completes");
    }

    @Test
    void aSessionIsResumedOnlyForTheNameItWasVerifiedFor() throws Exception {
        SessionTicketKeys tickets = SessionTicketKeys.random("tunnel");
        target.set(server(new SessionTicketEngineOptions(tickets)));
        NetClient client = client("TLSv1.3");
        greet(client);
        // Same address, a name the certificate does not cover: a full handshake, refused.
        Future<NetSocket> other = client.connect(relayPort, "127.0.0.1", "other.example.test");
        Exception refused = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> await(other));
        assertTrue(refused.getCause() instanceof javax.net.ssl.SSLHandshakeException, refused.toString());
        assertEquals(0, tickets.resumed());
        greet(client);
        assertEquals(1, tickets.resumed(), "the verified name still resumes");
    }

    @Test
    void aServerWithoutTicketsStillServes() throws Exception {
        target.set(server(new OpenSSLEngineOptions()));
        NetClient client = client("TLSv1.3");
        greet(client);
        greet(client);
    }

    @Test
    void theShippedClientKeepsABoundedNumberOfSessionsAndStillResumes() throws Exception {
        SessionTicketKeys tickets = SessionTicketKeys.random("tunnel");
        target.set(server(new SessionTicketEngineOptions(tickets)));
        SslContext bounded = ServerSessions.bounded(nettyClient());
        SslContext unbounded = nettyClient();
        int connections = 100;
        for (int i = 0; i < connections; i++) {
            greet(bounded);
            greet(unbounded);
        }
        assertEquals(2L * (connections - 1), tickets.resumed(), "every later connection resumes, bounded or not");
        assertTrue(sessions(unbounded) > connections, "BoringSSL's two tickets per handshake, one used: " + sessions(unbounded));
        assertTrue(sessions(bounded) <= ServerSessions.KEPT, "bounded: " + sessions(bounded));
        SslContext dialling = ServerSessions.engineOptions().sslContextFactory().forClient(true).create();
        assertEquals(ServerSessions.KEPT, dialling.sessionContext().getSessionCacheSize(), "and so are Vert.x's contexts");
    }

    @Test
    void keysFollowTheHourAndKeepTheNeighbours() {
        SessionTicketKeys keys = SessionTicketKeys.fromSecret(SECRET, "tunnel");
        Instant now = Instant.parse("2026-01-01T10:30:00Z");
        OpenSslSessionTicketKey[] atTen = keys.keysAt(now);
        OpenSslSessionTicketKey[] atEleven = keys.keysAt(now.plus(SessionTicketKeys.WINDOW));
        assertEquals(3, atTen.length);
        assertNotEquals(name(atTen[0]), name(atEleven[0]), "a new hour seals with a new key");
        assertEquals(name(atTen[0]), name(atEleven[1]), "and still opens the last hour's tickets");
        assertEquals(name(atEleven[0]), name(atTen[2]), "a replica a little behind opens the next hour's");
        assertNotEquals(name(atTen[0]), name(SessionTicketKeys.fromSecret(SECRET, "https").keysAt(now)[0]));
        assertNotEquals(name(atTen[0]), name(SessionTicketKeys.random("tunnel").keysAt(now)[0]));
    }

    private static String name(OpenSslSessionTicketKey key) {
        return java.util.HexFormat.of().formatHex(key.name()) + java.util.HexFormat.of().formatHex(key.aesKey());
    }

    /** A TLS server with these engine options that answers hello on each connection; its port. */
    private int server(OpenSSLEngineOptions engine) throws Exception {
        NetServer server = vertx.createNetServer(new NetServerOptions().setSsl(true).setSslEngineOptions(engine)
                .setKeyCertOptions(keys.keyCertOptions(true)))
                .connectHandler(s -> s.handler(b -> s.write("hello")));
        return await(server.listen(0, "127.0.0.1")).actualPort();
    }

    /**
     * A client as the shipped one dials: BoringSSL, one context, SNI, certificate and name
     * verified. Restricted to TLS 1.2 it stands for a Go server older than TLS 1.3 (tickets, no
     * session cache); Netty asks for TLS 1.2 tickets only because its engines allow TLS 1.3.
     */
    private NetClient client(String protocol) {
        NetClientOptions options = new NetClientOptions().setSsl(true).setSslEngineOptions(new OpenSSLEngineOptions())
                .setHostnameVerificationAlgorithm("HTTPS")
                .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(certificatePem)));
        options.setEnabledSecureTransportProtocols(Set.of(protocol));
        this.protocol = protocol;
        return vertx.createNetClient(options);
    }

    /** Connects through the relay, reads the greeting (and the ticket that comes with it), closes. */
    private void greet(NetClient client) throws Exception {
        NetSocket socket = await(client.connect(relayPort, "127.0.0.1", NAME));
        assertEquals(protocol, socket.sslSession().getProtocol());
        io.vertx.core.Promise<Buffer> greeting = io.vertx.core.Promise.promise();
        socket.handler(greeting::tryComplete);
        socket.write("hi");
        assertEquals("hello", await(greeting.future()).toString());
        await(socket.close());
    }

    /** A Netty client context as the shipped client's, BoringSSL, whose session cache a test can count. */
    private SslContext nettyClient() throws Exception {
        return SslContextBuilder.forClient().sslProvider(SslProvider.OPENSSL).protocols("TLSv1.3")
                .endpointIdentificationAlgorithm("HTTPS")
                .trustManager(new java.io.ByteArrayInputStream(certificatePem.getBytes(StandardCharsets.US_ASCII)))
                .build();
    }

    private static int sessions(SslContext context) {
        return java.util.Collections.list(context.sessionContext().getIds()).size();
    }

    /** {@link #greet(NetClient)} with a plain Netty channel over {@code context}, on Vert.x's event loops. */
    private void greet(SslContext context) throws Exception {
        Promise<String> greeting = Promise.promise();
        Channel channel = new Bootstrap().group(vertx.nettyEventLoopGroup()).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(context.newHandler(ch.alloc(), NAME, relayPort),
                                new SimpleChannelInboundHandler<ByteBuf>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf message) {
                                        greeting.tryComplete(message.toString(StandardCharsets.US_ASCII));
                                    }

                                    @Override
                                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                        greeting.tryFail(cause);
                                    }
                                });
                    }
                }).connect("127.0.0.1", relayPort).sync().channel();
        channel.writeAndFlush(Unpooled.copiedBuffer("hi", StandardCharsets.US_ASCII));
        assertEquals("hello", await(greeting.future()));
        channel.close().sync();
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
