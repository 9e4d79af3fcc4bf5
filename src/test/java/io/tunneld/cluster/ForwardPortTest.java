package io.tunneld.cluster;

import static io.tunneld.testsupport.EventLoops.await;
import static io.tunneld.testsupport.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.tunneld.protocol.StartProxy;
import io.tunneld.proxy.ProxyJoin;
import io.tunneld.testsupport.LogRecords;
import io.tunneld.testsupport.VertxTest;
import io.tunneld.tunnel.ProxyConnection;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

/**
 * Replica to replica over real sockets: links prove the cluster secret before they are heard,
 * claims reach only parked proxies, and a claimed proxy carries bytes both ways.
 */
class ForwardPortTest extends VertxTest {

    private static final String SECRET = "a-cluster-secret-of-some-length";

    private final List<String> heard = new CopyOnWriteArrayList<>();
    private HostedProxies hosted;
    private NetServer forward;

    @BeforeEach
    void startForwardPort() throws Exception {
        hosted = new HostedProxies(vertx, (owner, clientId, handle) -> heard.add("gone " + handle));
        ForwardPort port = new ForwardPort(vertx, new ClusterSecret(SECRET), Duration.ofSeconds(2),
                (from, frame) -> heard.add(from + " " + frame.type() + " " + frame.client()),
                (connection, open, rest) -> {
                    NetSocket proxy = hosted.claim(open.handle());
                    if (proxy == null) {
                        connection.write(PeerFrame.status(false, "gone").encode());
                        connection.close();
                        return;
                    }
                    connection.write(PeerFrame.status(true, null).encode());
                    proxy.write("StartProxy " + open.url() + " " + open.addr() + "|");
                    proxy.write(rest);
                    ProxyJoin.relay(connection, proxy, n -> { });
                    ProxyJoin.relay(proxy, connection, n -> { });
                });
        forward = await(vertx.createNetServer().connectHandler(port).listen(0, "127.0.0.1"));
    }

    private String address() {
        return "127.0.0.1:" + forward.actualPort();
    }

    private PeerLink link(String secret) {
        return new PeerLink(vertx, vertx.createNetClient(), "replica-p", "replica-q", this::address,
                new ClusterSecret(secret));
    }

    @Test
    void aLinkThatProvesTheSecretIsHeardInOrder() throws Exception {
        PeerLink link = link(SECRET);
        link.send(PeerFrame.want(1, "client-1"));
        link.send(PeerFrame.cancel(1, "client-2"));
        eventually(() -> heard.size() == 2);
        assertEquals(List.of("replica-p want client-1", "replica-p cancel client-2"), heard);
        link.close();
    }

    @Test
    void aLinkWithAnotherSecretIsRefusedAndNotHeard() throws Exception {
        try (LogRecords logs = new LogRecords()) {
            PeerLink link = link("another-secret-of-some-length");
            link.send(PeerFrame.want(1, "client-1"));
            eventually(() -> logs.lines().stream().anyMatch(l -> l.text().contains("did not prove the cluster secret")));
            eventually(() -> logs.lines().stream().anyMatch(l -> l.text().contains("link to replica replica-q lost")));
            assertEquals(List.of(), heard);
            link.close();
        }
    }

    @Test
    void aReplicaDialingWithTlsIsRefusedWithTheSettingNamed() throws Exception {
        try (LogRecords logs = new LogRecords()) {
            PeerLink link = new PeerLink(vertx, vertx.createNetClient(new NetClientOptions().setSsl(true).setTrustAll(true)
                    .setHostnameVerificationAlgorithm("")), "replica-p", "replica-q", this::address, new ClusterSecret(SECRET));
            link.send(PeerFrame.want(1, "client-1"));
            eventually(() -> logs.lines().stream().anyMatch(l -> l.text().endsWith(
                    "closed: it speaks TLS and this replica does not: tunneld.cluster.forward-tls must be the same on every replica")));
            eventually(() -> logs.lines().stream().anyMatch(l -> l.text().contains("link to replica replica-q lost")));
            assertEquals(List.of(), heard);
            link.close();
        }
    }

    @Test
    void aClaimJoinsTheParkedProxyOnceAndOnlyOnce() throws Exception {
        CompletableFuture<NetSocket> parkedSide = new CompletableFuture<>();
        NetServer clientProxies = await(vertx.createNetServer().connectHandler(parkedSide::complete).listen(0, "127.0.0.1"));
        try (Socket client = new Socket("127.0.0.1", clientProxies.actualPort())) {
            String handle = hosted.park(parkedSide.get(5, TimeUnit.SECONDS), "client-1", "replica-a", 0);
            ClaimDialer dialer = new ClaimDialer(vertx, vertx.createNetClient(), "replica-p", 2_000);
            StartProxy start = new StartProxy("http://demo.localhost", "203.0.113.7:5555");
            ProxyConnection claimed = await(dialer.claim(address(), handle, start));
            assertTrue(claimed.started(), "the other replica sent StartProxy");

            Buffer fromClient = Buffer.buffer();
            CompletableFuture<String> answer = new CompletableFuture<>();
            claimed.socket().handler(data -> {
                fromClient.appendBuffer(data);
                if (fromClient.toString().endsWith("answer")) {
                    answer.complete(fromClient.toString());
                }
            });
            claimed.socket().write("request");
            InputStream in = client.getInputStream();
            String expected = "StartProxy http://demo.localhost 203.0.113.7:5555|request";
            assertEquals(expected, new String(in.readNBytes(expected.length())));
            OutputStream out = client.getOutputStream();
            out.write("answer".getBytes());
            out.flush();
            assertEquals("answer", answer.get(5, TimeUnit.SECONDS));

            ExecutionException again = assertThrows(ExecutionException.class,
                    () -> await(dialer.claim(address(), handle, start)));
            assertTrue(again.getCause().getMessage().contains("claim refused: gone"), again.getCause().getMessage());
        }
    }

    @Test
    void aParkedProxyThatClosesIsReportedGone() throws Exception {
        CompletableFuture<NetSocket> parkedSide = new CompletableFuture<>();
        NetServer clientProxies = await(vertx.createNetServer().connectHandler(parkedSide::complete).listen(0, "127.0.0.1"));
        String handle;
        try (Socket client = new Socket("127.0.0.1", clientProxies.actualPort())) {
            handle = hosted.park(parkedSide.get(5, TimeUnit.SECONDS), "client-1", "replica-a", 0);
        }
        String expected = "gone " + handle;
        eventually(() -> heard.contains(expected));
        assertEquals(0, hosted.size());
    }

    @Test
    void aConnectionThatSaysNothingSensibleIsClosed() throws Exception {
        try (Socket stranger = new Socket("127.0.0.1", forward.actualPort())) {
            stranger.getOutputStream().write(PeerFrame.want(1, "client-1").encode().getBytes());
            stranger.setSoTimeout(5_000);
            assertEquals(-1, stranger.getInputStream().read(), "closed: a message before a proven link");
        }
        try (Socket silent = new Socket("127.0.0.1", forward.actualPort())) {
            silent.setSoTimeout(5_000);
            assertEquals(-1, silent.getInputStream().read(), "closed after the first-frame deadline");
        }
        assertEquals(List.of(), heard);
    }
}
