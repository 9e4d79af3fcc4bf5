package io.tunneld.limits;

import static io.restassured.RestAssured.given;
import static io.tunneld.testsupport.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.tunneld.session.ControlRegistry;
import io.tunneld.testclient.Frame;
import io.tunneld.testclient.NgrokTestClient;
import io.tunneld.testclient.TlsDialer;
import io.tunneld.testclient.WireFrames;
import io.tunneld.testsupport.DripServer;
import io.tunneld.testsupport.EchoServer;
import io.tunneld.testsupport.LogRecords;
import io.tunneld.testsupport.Metrics;
import io.tunneld.testsupport.PublicClient;
import io.tunneld.testsupport.TunneldTest;
import io.tunneld.tls.ServerTls;
import io.tunneld.tls.ServerTlsTest;
import io.tunneld.session.UrlAffinity;
import io.vertx.core.Vertx;

/**
 * Limits and bounds on connections, heartbeat, idle expiry and URL affinity, with the small
 * values of {@link SmallLimitsProfile}.
 */
@QuarkusTest
@TestProfile(SmallLimitsProfile.class)
class LimitsTest extends TunneldTest {

    @Inject
    ControlRegistry controls;

    @Inject
    ServerTls tls;

    @Inject
    UrlAffinity affinity;

    @Inject
    Vertx vertx;

    @BeforeEach
    void noSessionsLeft() throws InterruptedException {
        // Sessions of earlier tests close asynchronously; start each test from none.
        eventually(() -> controls.controls().isEmpty());
    }

    @Test
    void withAuthenticationOffAnyTokenIsAccepted() throws Exception {
        try (NgrokTestClient a = authed(""); NgrokTestClient b = authed("whatever")) {
            assertNotNull(a.clientId());
            assertNotNull(b.clientId());
        }
    }

    @Test
    void framesAboveTheConfiguredCapCloseTheConnection() throws Exception {
        try (SSLSocket s = NgrokTestClient.openTls("127.0.0.1", ports.tunnel())) {
            String json = "{\"Type\":\"Auth\",\"Payload\":{\"Version\":\"2\",\"User\":\"" + "x".repeat(600) + "\"}}";
            s.getOutputStream().write(WireFrames.encodeRaw(json));
            s.setSoTimeout(5000);
            assertEquals(-1, s.getInputStream().read());
        }
    }

    @Test
    void tunnelsPerClientAreLimited() throws Exception {
        try (NgrokTestClient c = authed("")) {
            assertEquals(2, c.reqTunnel("http+https", "", "lim", "", 0).size());
            assertTrue(c.reqTunnel("tcp", "", "", "", 0).get(0).str("Error").startsWith("Too many tunnels"));
        }
    }

    @Test
    void controlsAreLimitedServerWide() throws Exception {
        List<NgrokTestClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                open.add(authed(""));
            }
            try (NgrokTestClient extra = connect()) {
                assertEquals("Server is at capacity, try again later", extra.auth("", "").str("Error"));
                assertTrue(extra.awaitClosed(WAIT));
            }
            // A client resuming its own id is not refused: it replaces itself.
            NgrokTestClient again = connect();
            open.add(again);
            assertEquals(open.get(0).clientId(), again.auth("", open.get(0).clientId()).str("ClientId"));
        } finally {
            for (NgrokTestClient c : open) {
                c.close();
            }
        }
    }

    @Test
    void idleProxiesPerClientAreLimited() throws Exception {
        try (NgrokTestClient c = authed("")) {
            for (int i = 0; i < 5; i++) {
                c.openProxy();
            }
            eventually(() -> c.openProxies() == 2);
        }
    }

    @Test
    void aSessionThatStopsPingingIsShutDownAndItsTunnelsFreed() throws Exception {
        double lostBefore = Metrics.value("tunneld_heartbeats_lost_total");
        try (NgrokTestClient silent = authed(""); NgrokTestClient pinging = authed("")) {
            assertEquals("", silent.reqTunnel("http", "", "quiet", "", 0).get(0).str("Error"));
            long start = System.nanoTime();
            for (int i = 0; i < 8 && !silent.awaitClosed(Duration.ofMillis(500)); i++) {
                pinging.ping();
            }
            assertTrue(silent.awaitClosed(Duration.ZERO), "no Ping for 2 s: shut down");
            long ms = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertTrue(ms >= 1500, "not before the heartbeat timeout: " + ms + " ms");
            pinging.ping();
            assertNotNull(pinging.awaitFrame("Pong", WAIT), "a pinging session stays");
            String answer = PublicClient.get(ports.http(), "quiet.localhost:" + ports.http(), "/");
            assertTrue(answer.startsWith("HTTP/1.0 404"), "the tunnel is gone: " + answer);
            assertTrue(Metrics.value("tunneld_heartbeats_lost_total") >= lostBefore + 1, "lost heartbeat counted");
        }
    }

    /** Overdue after five sixths of the 2 s heartbeat here, and reaped only after 2 s. */
    @Test
    void aSilentSessionIsOverdueBeforeItIsReapedUntilItPings() throws Exception {
        overdue(); // the first health request of a run is slow: not within the 2 s below
        try (NgrokTestClient c = authed("")) {
            eventually(() -> overdue() == 1);
            c.ping();
            assertNotNull(c.awaitFrame("Pong", WAIT), "overdue, but not reaped yet");
            assertEquals(0, overdue(), "a Ping makes it current again");
        }
    }

    private static int overdue() {
        return given().when().get("/q/health/well").then().statusCode(200).extract()
                .path("checks.find { it.name == 'sessions' }.data.heartbeatsOverdue");
    }

    @Test
    void aClientWhoseAnswersPileUpIsDroppedAndOthersStay() throws Exception {
        try (NgrokTestClient deaf = connect(); NgrokTestClient reading = authed("")) {
            reading.setHeartbeat(Duration.ofMillis(500));   // the heartbeat timeout here is 2 s
            deaf.sendAuth("", "");
            eventually(() -> controls.controls().size() == 2);
            // It pings as fast as it can and reads nothing: its Pongs wait behind each other in
            // tunneld's queue of 8, and then also behind the full buffers of a peer that does not read.
            int pings = 0;
            try {
                while (controls.controls().size() == 2 && pings < 2_000_000) {
                    deaf.ping();
                    pings++;
                }
            } catch (IOException closed) {
                // tunneld closed it while it was still sending
            }
            int sent = pings;
            eventually(() -> controls.controls().size() == 1);
            assertTrue(sent < 2_000_000, "dropped after " + sent + " Pings");
            assertThrows(IOException.class, () -> {
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (System.nanoTime() < deadline) {
                    deaf.ping();
                }
            }, "its connection is closed");
            for (int i = 0; i < 4; i++) {
                reading.ping();
            }
            for (int i = 0; i < 4; i++) {
                assertNotNull(reading.awaitFrame("Pong", WAIT), "a client that reads stays, Pong " + i);
            }
        }
    }

    @Test
    void staleIdleProxiesAreReplacedAndTrafficStillFlows() throws Exception {
        try (EchoServer echo = new EchoServer(); NgrokTestClient c = authed("")) {
            forwardHttp(c, "fresh", "", echo.port());
            int before = c.reqProxyCount();
            for (int i = 0; i < 10 && c.reqProxyCount() <= before; i++) {
                c.ping();
                Thread.sleep(500);
            }
            assertTrue(c.reqProxyCount() > before, "a stale proxy (idle > 2 s) was dropped and replaced");
            String request = "GET / HTTP/1.1\r\nHost: fresh.localhost:" + ports.http() + "\r\n\r\n";
            assertEquals(request, PublicClient.echo(ports.http(), request));
        }
    }

    @Test
    void aProxyFromAnotherAddressThanItsControlIsClosedAndCounted() throws Exception {
        String reason = "tunneld_frames_rejected_total{reason=\"proxy-address\"}";
        double rejected = Metrics.valueOrZero(reason);
        try (LogRecords log = new LogRecords(); NgrokTestClient c = authed("");
                SSLSocket elsewhere = TlsDialer.trustAll().from("127.0.0.2").dial("127.0.0.1", ports.tunnel())) {
            elsewhere.getOutputStream().write(WireFrames.encode("RegProxy", Map.of("ClientId", c.clientId())));
            elsewhere.setSoTimeout((int) WAIT.toMillis());
            assertEquals(-1, elsewhere.getInputStream().read(), "closed");
            assertEquals(rejected + 1, Metrics.valueOrZero(reason));
            List<String> lines = log.lines().stream().map(LogRecords.Line::text).toList();
            String shortId = c.clientId().substring(0, 8);
            assertTrue(lines.stream().anyMatch(l -> l.contains("from 127.0.0.2:") && l.contains(shortId)
                    && l.contains("proxy-same-address")), "" + lines);
            assertTrue(lines.stream().noneMatch(l -> l.contains(c.clientId())), "no whole ClientId logged: " + lines);
        }
    }

    @Test
    void urlsAndPortsAreKeptWhileTheSessionLivesAndForTheAffinityTimeAfterItEnds() throws Exception {
        String id;
        String http;
        String tcp;
        try (NgrokTestClient c = authed("")) {
            c.setHeartbeat(Duration.ofMillis(500));
            id = c.clientId();
            http = c.reqTunnel("http", "", "", "", 0).get(0).str("Url");
            tcp = c.reqTunnel("tcp", "", "", "", 0).get(0).str("Url");
            Thread.sleep(1500); // connected for longer than the affinity time (1 s here)
            affinity.expire();
        }
        try (NgrokTestClient again = connect()) {
            assertEquals(id, again.auth("", id).str("ClientId"));
            assertEquals(http, again.reqTunnel("http", "", "", "", 0).get(0).str("Url"), "kept while the session lived");
            assertEquals(tcp, again.reqTunnel("tcp", "", "", "", 0).get(0).str("Url"), "kept while the session lived");
        }
        eventually(() -> controls.controls().isEmpty());
        Thread.sleep(1500); // disconnected for longer than the affinity time
        affinity.expire();
        try (NgrokTestClient later = connect()) {
            assertEquals(id, later.auth("", id).str("ClientId"));
            assertNotEquals(http, later.reqTunnel("http", "", "", "", 0).get(0).str("Url"), "forgotten after it");
        }
    }

    @Test
    void publicConnectionsWaitingForAProxyAreLimitedPerTunnel() throws Exception {
        String refused = "tunneld_connections_refused_total{reason=\"waiting-per-tunnel\"}";
        String waiting = "tunneld_connections_waiting";
        double refusedBefore = Metrics.value(refused);
        double waitingBefore = Metrics.value(waiting);
        List<Socket> visitors = new ArrayList<>();
        // The client opens no proxy: every public connection waits (up to 10 s here).
        try (NgrokTestClient c = authed("")) {
            assertEquals("", c.reqTunnel("http", "", "crowded", "", 0).get(0).str("Error"));
            String host = "crowded.localhost:" + ports.http();
            for (int i = 0; i < 2; i++) {
                Socket visitor = PublicClient.plain(ports.http());
                visitors.add(visitor);
                visitor.getOutputStream().write(("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            }
            eventually(() -> Metrics.value(waiting) == waitingBefore + 2);
            String answer = PublicClient.get(ports.http(), host, "/");
            assertTrue(answer.startsWith("HTTP/1.0 503 Service Unavailable\r\n"), answer);
            assertTrue(answer.endsWith("Tunnel http://" + host + " has too many connections waiting for its client: try again later\n"), answer);

            // A TCP tunnel of the same session has a limit of its own; a third connection is closed.
            String tcp = c.reqTunnel("tcp", "", "", "", 0).get(0).str("Url");
            int port = Integer.parseInt(tcp.substring(tcp.lastIndexOf(':') + 1));
            for (int i = 0; i < 2; i++) {
                visitors.add(PublicClient.plain(port));
            }
            eventually(() -> Metrics.value(waiting) == waitingBefore + 4);
            try (Socket third = PublicClient.plain(port)) {
                third.setSoTimeout(5000);
                assertEquals(-1, third.getInputStream().read());
            }
            assertEquals(refusedBefore + 2, Metrics.value(refused), "both refusals counted");
        } finally {
            for (Socket visitor : visitors) {
                visitor.close();
            }
        }
    }

    @Test
    void tunnelPortConnectionsThatSendNothingAreLimitedPerAddressAndOnTheServer() throws Exception {
        String unidentified = "tunneld_connections_unidentified";
        eventually(() -> Metrics.value(unidentified) == 0);
        List<SSLSocket> silent = new ArrayList<>();
        try {
            // 3 per address and 6 in all here; each is closed after 10 s without a frame.
            for (int i = 0; i < 3; i++) {
                silent.add(tunnelPortFrom("127.0.0.2"));
            }
            eventually(() -> Metrics.value(unidentified) == 3);
            assertRefused("127.0.0.2", "unidentified-connections-per-address", "its address's share was full");
            for (int i = 0; i < 3; i++) {
                silent.add(tunnelPortFrom("127.0.0.3"));
            }
            eventually(() -> Metrics.value(unidentified) == 6);
            assertRefused("127.0.0.4", "unidentified-connections", "the server's limit was reached");

            // The new connections were refused, not the old: one of those speaks now, and its
            // place is free again for a new one from its address.
            assertEquals("", authOn(silent.get(0)).str("Error"));
            SSLSocket again = tunnelPortFrom("127.0.0.2");
            silent.add(again);
            assertEquals("", authOn(again).str("Error"));
        } finally {
            for (SSLSocket s : silent) {
                s.close();
            }
        }
        eventually(() -> Metrics.value(unidentified) == 0);
    }

    @Test
    void aJoinedConnectionIsClosedOnceNothingHasMovedEitherWayForTheIdleTime() throws Exception {
        // joined-idle is 1.5 s here; the service sends a byte every 200 ms for 3 s, then nothing.
        try (DripServer drip = new DripServer(Duration.ofMillis(200), 15); NgrokTestClient c = authed("")) {
            c.setHeartbeat(Duration.ofMillis(500));
            c.setAutoProxy(true);
            c.openProxy();
            String url = c.reqTunnel("tcp", "", "", "", 0).get(0).str("Url");
            c.forward(url, "127.0.0.1", drip.port());
            try (Socket visitor = PublicClient.plain(Integer.parseInt(url.substring(url.lastIndexOf(':') + 1)))) {
                visitor.setSoTimeout(5000);
                InputStream in = visitor.getInputStream();
                // The visitor sends nothing: bytes one way keep the connection.
                assertEquals(15, PublicClient.readExactly(in, 15).length);
                assertEquals(-1, in.read(), "closed once nothing moved for the idle time");
            }
        }
    }

    /** A tunnel-port connection from a given loopback address, TLS done, nothing sent. */
    private SSLSocket tunnelPortFrom(String localAddress) throws IOException {
        return TlsDialer.trustAll().dial("127.0.0.1", ports.tunnel(), socket -> {
            try {
                socket.bind(new InetSocketAddress(localAddress, 0));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static Frame authOn(SSLSocket s) throws IOException {
        s.getOutputStream().write(WireFrames.encode("Auth", new LinkedHashMap<>(Map.of("Version", "2"))));
        return WireFrames.read(s.getInputStream());
    }

    /**
     * A new tunnel-port connection from {@code localAddress} is closed by the server within a
     * few seconds (the first-frame deadline here is 10 s), and counted for {@code limit}.
     */
    private void assertRefused(String localAddress, String limit, String why) throws IOException {
        String refused = "tunneld_connections_refused_total{reason=\"" + limit + "\"}";
        double before = Metrics.value(refused);
        try (SSLSocket s = tunnelPortFrom(localAddress)) {
            s.setSoTimeout(5000);
            assertEquals(-1, s.getInputStream().read());
        } catch (SocketException | SSLException reset) {
            // a reset is a close too
        }
        assertEquals(before + 1, Metrics.value(refused), why);
    }

    @Test
    void configuredPemCertificateIsServedOnHttpsAndByFallbackOnTheTunnelPort() throws Exception {
        try (SSLSocket https = PublicClient.tls(ports.https(), "a.example.test");
                SSLSocket tunnel = NgrokTestClient.openTls("127.0.0.1", ports.tunnel())) {
            tunnel.startHandshake();
            for (SSLSocket s : new SSLSocket[] { https, tunnel }) {
                X509Certificate cert = (X509Certificate) s.getSession().getPeerCertificates()[0];
                assertTrue(cert.getSubjectX500Principal().getName().contains("CN=example.test"),
                        cert.getSubjectX500Principal().getName());
            }
        }
    }

    @Test
    void configuredPemKeysAreHandedOverOnce() throws Exception {
        ServerTlsTest.assertKeysHandedOverOnce(tls, vertx);
    }
}
