package io.tunneld.cluster;

import static io.tunneld.testsupport.EventLoops.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.net.SocketException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.X509ExtendedTrustManager;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.tunneld.testclient.TlsDialer;
import io.tunneld.testsupport.VertxTest;
import io.tunneld.tls.PeerTls;
import io.tunneld.tls.SelfSignedCertificate;
import io.vertx.core.Promise;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;

/**
 * The forward port's TLS over real sockets, on both engines (BoringSSL, and the JDK's of a
 * native executable): replicas of one cluster talk, and a dialer resumes its sessions; a peer
 * without a certificate signed over by the secret, on either side, or without TLS, gets
 * nothing through.
 */
class ReplicaTlsTest extends VertxTest {

    private static final ClusterSecret SECRET = new ClusterSecret("replica-tls-secret-one");
    private static final ClusterSecret OTHER = new ClusterSecret("replica-tls-secret-two");

    /** Connections the acceptor took (after their handshake): echoed. */
    private final AtomicInteger accepted = new AtomicInteger();

    @ParameterizedTest(name = "BoringSSL: {0}")
    @ValueSource(booleans = {true, false})
    void replicasOfOneClusterTalk(boolean boringSsl) throws Exception {
        int port = acceptor(replica(boringSsl, SECRET, new ReplicaTrust(SECRET)));
        NetSocket socket = await(vertx.createNetClient(replica(boringSsl, SECRET, new ReplicaTrust(SECRET))
                .client(new NetClientOptions())).connect(port, "127.0.0.1"));
        Promise<String> echoed = Promise.promise();
        socket.handler(b -> echoed.tryComplete(b.toString()));
        socket.write("hello");
        assertEquals("hello", await(echoed.future()));
        assertTrue(socket.isSsl());
    }

    @ParameterizedTest(name = "BoringSSL: {0}")
    @ValueSource(booleans = {true, false})
    void aDialerResumesSoItsCertificateIsCheckedOnce(boolean boringSsl) throws Exception {
        ReplicaTrust acceptorTrust = new ReplicaTrust(SECRET);
        int port = acceptor(replica(boringSsl, SECRET, acceptorTrust));
        NetClient dialer = vertx.createNetClient(replica(boringSsl, SECRET, new ReplicaTrust(SECRET))
                .client(new NetClientOptions()));
        for (int i = 0; i < 3; i++) {
            NetSocket socket = await(dialer.connect(port, "127.0.0.1"));
            Promise<String> echoed = Promise.promise();
            socket.handler(b -> echoed.tryComplete(b.toString()));
            socket.write("claim " + i);
            assertEquals("claim " + i, await(echoed.future()));
            await(socket.close());
        }
        assertEquals(1, acceptorTrust.dialersChecked(), "the first connection's certificate only: the others resumed");
    }

    @ParameterizedTest(name = "BoringSSL: {0}")
    @ValueSource(booleans = {true, false})
    void aDialerOfAnotherClusterIsNotTaken(boolean boringSsl) throws Exception {
        int port = acceptor(replica(boringSsl, SECRET, new ReplicaTrust(SECRET)));
        // It would take any acceptor: only the acceptor's judgement counts.
        PeerTls stranger = replica(boringSsl, OTHER, TlsDialer.trustAllManager());
        CompletableFuture<Void> closed = new CompletableFuture<>();
        vertx.createNetClient(stranger.client(new NetClientOptions())).connect(port, "127.0.0.1").onComplete(ar -> {
            if (ar.failed()) {
                closed.complete(null);
            } else {
                ar.result().closeHandler(v -> closed.complete(null));
                ar.result().exceptionHandler(e -> { }); // the acceptor's alert: expected
                ar.result().write("open link");
            }
        });
        closed.get(5, TimeUnit.SECONDS);
        assertEquals(0, accepted.get());
    }

    @ParameterizedTest(name = "BoringSSL: {0}")
    @ValueSource(booleans = {true, false})
    void anAcceptorOfAnotherClusterIsNotDialed(boolean boringSsl) throws Exception {
        int port = acceptor(replica(boringSsl, OTHER, TlsDialer.trustAllManager()));
        ExecutionException failed = assertThrows(ExecutionException.class, () -> await(vertx.createNetClient(
                replica(boringSsl, SECRET, new ReplicaTrust(SECRET)).client(new NetClientOptions()))
                .connect(port, "127.0.0.1")));
        // What a dialing replica's link logs when it is refused.
        assertEquals("not a replica of this cluster: its certificate is not signed over by tunneld.cluster.secret",
                innermost(failed).getMessage());
    }

    @ParameterizedTest(name = "BoringSSL: {0}")
    @ValueSource(booleans = {true, false})
    void aDialerWithoutTlsIsNotTaken(boolean boringSsl) throws Exception {
        int port = acceptor(replica(boringSsl, SECRET, new ReplicaTrust(SECRET)));
        try (Socket plain = new Socket("127.0.0.1", port)) {
            plain.setSoTimeout(5_000);
            plain.getOutputStream().write("{\"type\":\"open\",\"kind\":\"link\"}\n".getBytes());
            try {
                while (plain.getInputStream().read() >= 0) {
                    // the acceptor's alert, if any, then its close
                }
            } catch (SocketException reset) {
                // closed with a reset: as good
            }
        }
        assertEquals(0, accepted.get());
    }

    private static Throwable innermost(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** A replica's TLS: its own certificate under {@code secret}, peers judged by {@code trust}. */
    private static PeerTls replica(boolean boringSsl, ClusterSecret secret, X509ExtendedTrustManager trust) {
        SelfSignedCertificate own = ReplicaCertificate.issue(secret);
        return new PeerTls(boringSsl, own.certificate(), own.privateKey(), trust);
    }

    /** An echoing acceptor with {@code tls}; its port. */
    private int acceptor(PeerTls tls) throws Exception {
        NetServer server = vertx.createNetServer(tls.server(new NetServerOptions())).connectHandler(socket -> {
            accepted.incrementAndGet();
            socket.handler(socket::write);
        });
        return await(server.listen(0, "127.0.0.1")).actualPort();
    }
}
