package io.tunneld.cluster;

import static io.tunneld.testsupport.LocalCluster.TOKEN_1;
import static io.tunneld.testsupport.LocalCluster.TOKEN_2;
import static io.tunneld.testsupport.LocalCluster.host;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.tunneld.testclient.Frame;
import io.tunneld.testclient.NgrokTestClient;
import io.tunneld.testclient.TlsDialer;
import io.tunneld.testclient.WireFrames;
import io.tunneld.testsupport.EchoServer;
import io.tunneld.testsupport.LocalCluster;
import io.tunneld.testsupport.PublicClient;
import io.tunneld.testsupport.Download;
import io.tunneld.testsupport.StreamServer;

/**
 * Three replicas of the packaged jar and a real Redis, with round-robin relays in front, driven
 * by the test 1.x client: any connection may land on any replica, names are unique across
 * them, a replica killed or stopped loses nothing its clients can get back, and Redis may
 * go away and come back empty. The tests share one cluster and run in order, since some
 * kill and restart its members.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {

    private static LocalCluster cluster;
    private static EchoServer echo;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = new LocalCluster(3, Map.of("TUNNELD_TIMEOUTS_DRAIN", "20s"));
        echo = new EchoServer();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        echo.close();
        cluster.close();
    }

    /** A client whose control connection goes to replica {@code control}. */
    private static NgrokTestClient clientOn(int control, String token, String clientId) throws IOException {
        NgrokTestClient c = NgrokTestClient.connect(host(control), cluster.tunnelPort());
        Frame resp = c.auth(token, clientId);
        assertEquals("", resp.str("Error"), "auth on replica " + control);
        return c;
    }

    private static String httpTunnel(NgrokTestClient c, String subdomain) throws IOException {
        c.openProxy();
        String url = c.reqTunnel("http", "", subdomain, "", 0).get(0).str("Url");
        c.forward(url, "127.0.0.1", echo.port());
        return url;
    }

    /** Sends an HTTP request for {@code host} to {@code address:port} and reads back its echo. */
    private static String echoVia(String address, int port, String hostHeader) throws IOException {
        String request = "GET /" + System.nanoTime() + " HTTP/1.1\r\nHost: " + hostHeader + "\r\n\r\n";
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), 5_000);
            s.setSoTimeout(15_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            String answer = new String(PublicClient.readExactly(s.getInputStream(), request.length()),
                    StandardCharsets.ISO_8859_1);
            assertEquals(request, answer, "through " + address + ":" + port);
            return answer;
        }
    }

    /** Whether a request for {@code hostHeader} through {@code address} reaches the service. */
    private static boolean served(String address, String hostHeader) {
        try {
            echoVia(address, cluster.httpPort(), hostHeader);
            return true;
        } catch (IOException | AssertionError e) {
            return false;
        }
    }

    private static String hostOf(String url) {
        return url.substring(url.indexOf("://") + 3);
    }

    private static void eventually(Duration within, BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("not within " + within + ": " + what);
    }

    @Test
    @Order(1)
    void controlProxiesAndPublicTrafficOnThreeDifferentReplicas() throws Exception {
        try (NgrokTestClient c = clientOn(0, TOKEN_1, "")) {
            c.setProxyTarget(host(1), cluster.tunnelPort());
            String url = httpTunnel(c, "spread");
            for (int i = 0; i < 3; i++) {
                echoVia(host(2), cluster.httpPort(), hostOf(url));
                echoVia(host(1), cluster.httpPort(), hostOf(url));
                echoVia(host(0), cluster.httpPort(), hostOf(url));
            }
            c.setProxyTarget("127.0.0.1", cluster.tunnelPort());
            for (int i = 0; i < 12; i++) {
                echoVia("127.0.0.1", cluster.httpPort(), hostOf(url));
            }
        }
        // What crossed between replicas above went over TLS, the default.
        for (int i = 0; i < cluster.size(); i++) {
            List<String> output = cluster.replica(i).output();
            assertTrue(output.stream().anyMatch(l -> l.matches(".*cluster: replica .*, forward port \\S+ \\(TLS\\), .*")),
                    output.toString());
        }
    }

    @Test
    @Order(2)
    void aTcpTunnelIsReachedThroughEveryReplica() throws Exception {
        try (NgrokTestClient c = clientOn(1, TOKEN_1, "")) {
            c.setProxyTarget("127.0.0.1", cluster.tunnelPort());
            c.openProxy();
            String url = c.reqTunnel("tcp", "", "", "", 0).get(0).str("Url");
            c.forward(url, "127.0.0.1", echo.port());
            int port = Integer.parseInt(url.substring(url.lastIndexOf(':') + 1));
            for (int i = 0; i < cluster.size(); i++) {
                String line = "hello through replica " + i + "\n";
                int replica = i;
                eventually(Duration.ofSeconds(5), () -> tcpEcho(host(replica), port, line), "tcp port " + port
                        + " on replica " + replica);
            }
        }
    }

    private static boolean tcpEcho(String address, int port, String line) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), 2_000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(line.getBytes(StandardCharsets.US_ASCII));
            return line.equals(new String(PublicClient.readExactly(s.getInputStream(), line.length()),
                    StandardCharsets.US_ASCII));
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    @Order(3)
    void oneSubdomainAskedOnTwoReplicasAtOnceGoesToExactlyOne() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 5; round++) {
                String name = "race" + round;
                try (NgrokTestClient a = clientOn(0, TOKEN_1, ""); NgrokTestClient b = clientOn(2, TOKEN_2, "")) {
                    Callable<String> askA = () -> a.reqTunnel("http", "", name, "", 0).get(0).str("Error");
                    Callable<String> askB = () -> b.reqTunnel("http", "", name, "", 0).get(0).str("Error");
                    Future<String> fromA = pool.submit(askA);
                    Future<String> fromB = pool.submit(askB);
                    List<String> errors = List.of(fromA.get(15, TimeUnit.SECONDS), fromB.get(15, TimeUnit.SECONDS));
                    assertEquals(1, errors.stream().filter(String::isEmpty).count(), "exactly one wins: " + errors);
                    assertTrue(errors.stream().anyMatch(e -> e.contains("is already registered")), errors.toString());
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @Order(4)
    void aKilledReplicasClientsComeBackElsewhereWithTheSameUrlsAndPorts() throws Exception {
        String id;
        String url;
        String tcpUrl;
        try (NgrokTestClient c = clientOn(0, TOKEN_1, "")) {
            c.setProxyTarget("127.0.0.1", cluster.tunnelPort());
            c.openProxy();
            url = c.reqTunnel("http", "", "", "", 0).get(0).str("Url");
            tcpUrl = c.reqTunnel("tcp", "", "", "", 0).get(0).str("Url");
            id = c.clientId();
            c.forward(url, "127.0.0.1", echo.port());
            echoVia("127.0.0.1", cluster.httpPort(), hostOf(url));
            cluster.replica(0).kill();
        }
        long killed = System.nanoTime();
        try (NgrokTestClient again = clientOn(1, TOKEN_1, id)) {
            assertEquals(id, again.clientId());
            again.setProxyTarget(host(2), cluster.tunnelPort());
            again.openProxy();
            assertEquals(url, again.reqTunnel("http", "", "", "", 0).get(0).str("Url"), "the same random URL");
            assertEquals(tcpUrl, again.reqTunnel("tcp", "", "", "", 0).get(0).str("Url"), "the same TCP port");
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - killed);
            assertTrue(seconds < 5, "back within seconds, not after the lease: " + seconds + " s");
            again.forward(url, "127.0.0.1", echo.port());
            echoVia(host(1), cluster.httpPort(), hostOf(url));
            echoVia(host(2), cluster.httpPort(), hostOf(url));
        } finally {
            cluster.start(0);
        }
    }

    @Test
    @Order(5)
    void aNameHeldByADeadReplicaIsFreedWhenItsLeaseEnds() throws Exception {
        try {
            try (NgrokTestClient c = clientOn(2, TOKEN_1, "")) {
                httpTunnel(c, "orphan");
                cluster.replica(2).kill();
            }
            assertTrue(!claimedByAnother("orphan"), "held while the lease runs");
            eventually(Duration.ofSeconds(12), () -> claimedByAnother("orphan"), "the dead replica's name freed");
        } finally {
            cluster.start(2);
        }
    }

    /** Whether another principal, on another replica, gets the subdomain (a refusal ends its session). */
    private static boolean claimedByAnother(String subdomain) {
        try (NgrokTestClient other = clientOn(0, TOKEN_2, "")) {
            return other.reqTunnel("http", "", subdomain, "", 0).get(0).str("Error").isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    @Order(6)
    void aStoppedReplicaLetsItsDownloadsFinishAndItsClientKeepsItsUrl() throws Exception {
        long size = 4L << 20;
        try (StreamServer downloads = new StreamServer(size); NgrokTestClient c = clientOn(1, TOKEN_1, "")) {
            c.setProxyTarget(host(1), cluster.tunnelPort());
            c.openProxy();
            String url = c.reqTunnel("http", "", "", "", 0).get(0).str("Url");
            c.forward(url, "127.0.0.1", downloads.port());
            ExecutorService readers = Executors.newFixedThreadPool(20);
            List<Future<Long>> done = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                Socket s = new Socket(host(1), cluster.httpPort());
                s.setSoTimeout(30_000);
                s.getOutputStream().write(("GET /big HTTP/1.1\r\nHost: " + hostOf(url) + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                done.add(readers.submit(() -> Download.readChecked(s, size)));
            }
            Thread.sleep(500);
            cluster.replica(1).terminate();
            for (Future<Long> d : done) {
                assertEquals(size, d.get(60, TimeUnit.SECONDS), "every byte of every download, intact");
            }
            readers.shutdownNow();
            assertEquals(143, cluster.replica(1).awaitExit(Duration.ofSeconds(30)), "exit after SIGTERM");
            assertTrue(c.awaitClosed(Duration.ofSeconds(5)), "its session closed after the drain");
            String id = c.clientId();
            try (NgrokTestClient again = clientOn(0, TOKEN_1, id)) {
                assertEquals(url, again.reqTunnel("http", "", "", "", 0).get(0).str("Url"), "the same URL elsewhere");
            }
        } finally {
            cluster.replica(1).close();
            cluster.start(1);
        }
    }


    @Test
    @Order(7)
    void redisGoneKeepsTunnelsServingAndRedisBackEmptyGetsEverythingBack() throws Exception {
        String randomId;
        String randomUrl;
        try (NgrokTestClient c = clientOn(0, TOKEN_1, ""); NgrokTestClient random = clientOn(1, TOKEN_2, "")) {
            c.setProxyTarget("127.0.0.1", cluster.tunnelPort());
            String url = httpTunnel(c, "survivor");
            c.setHeartbeat(Duration.ofSeconds(1));
            random.setHeartbeat(Duration.ofSeconds(1));
            randomUrl = random.reqTunnel("http", "", "", "", 0).get(0).str("Url");
            randomId = random.clientId();
            for (int i = 0; i < cluster.size(); i++) {
                int replica = i;
                eventually(Duration.ofSeconds(5), () -> served(host(replica), hostOf(url)), "known on replica " + i);
            }
            cluster.redis().kill();
            for (int i = 0; i < 6; i++) {
                echoVia("127.0.0.1", cluster.httpPort(), hostOf(url));
            }
            long start = System.nanoTime();
            try (NgrokTestClient refused = NgrokTestClient.connect(host(1), cluster.tunnelPort())) {
                refused.sendAuth(TOKEN_2, "");
                assertTrue(refused.awaitClosed(Duration.ofSeconds(5)), "closed, not left hanging");
            }
            assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) < 4, "quickly");
            eventually(Duration.ofSeconds(10), () -> health(0).contains("unreachable"), "health says why");
            eventually(Duration.ofSeconds(10), () -> metric(0, "tunneld_cluster_lease_renewals_failed_total") >= 1,
                    "failed renewals counted");

            cluster.redis().startAgain();
            eventually(Duration.ofSeconds(15), () -> health(0).contains("\"redis\": \"up\""), "Redis back");
            try (NgrokTestClient squatter = clientOn(2, TOKEN_2, "")) {
                assertTrue(squatter.reqTunnel("http", "", "survivor", "", 0).get(0).str("Error")
                        .contains("is already registered"), "the name was put back");
            }
            for (int i = 0; i < 6; i++) {
                echoVia("127.0.0.1", cluster.httpPort(), hostOf(url));
            }
            // The random URL's memory was put back too: its client gets it again after a reconnect.
            eventually(Duration.ofSeconds(10), () -> redisHasMemoryOf(randomId), "memory of the random URL");
        } finally {
            if (!cluster.redis().running()) {
                cluster.redis().startAgain();
            }
        }
        try (NgrokTestClient again = clientOn(2, TOKEN_2, randomId)) {
            assertEquals(randomUrl, again.reqTunnel("http", "", "", "", 0).get(0).str("Url"));
        }
    }

    /** Whether the directory remembers a random host for {@code clientId} (as a reconnect would use). */
    private static boolean redisHasMemoryOf(String clientId) {
        try {
            Process cli = new ProcessBuilder("redis-cli", "-p", String.valueOf(cluster.redis().port()), "HGET",
                    "{tunneld}:affinity:" + clientId, "h").redirectErrorStream(true).start();
            String out = new String(cli.getInputStream().readAllBytes()).trim();
            cli.waitFor();
            return !out.isEmpty();
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static double metric(int replica, String name) {
        try {
            for (String line : cluster.replica(replica).get("/q/metrics").split("\n")) {
                if (line.startsWith(name + " ")) {
                    return Double.parseDouble(line.substring(name.length() + 1));
                }
            }
        } catch (IOException | InterruptedException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    private static String health(int replica) {
        try {
            return cluster.replica(replica).get("/q/health/ready");
        } catch (IOException | InterruptedException e) {
            return "";
        }
    }

    @Test
    @Order(8)
    void aRollingRestartOfEveryReplicaLosesNoDownload() throws Exception {
        long size = 2L << 20;
        try (StreamServer downloads = new StreamServer(size);
                ReconnectingClient client = new ReconnectingClient("rolling", downloads.port())) {
            String host = "rolling.localhost:" + cluster.httpPort();
            List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            java.util.concurrent.atomic.AtomicInteger completed = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicBoolean restarting = new java.util.concurrent.atomic.AtomicBoolean(true);
            ExecutorService visitors = Executors.newFixedThreadPool(4);
            for (int v = 0; v < 4; v++) {
                visitors.submit(() -> {
                    while (restarting.get()) {
                        try (Socket s = new Socket("127.0.0.1", cluster.httpPort())) {
                            s.setSoTimeout(30_000);
                            s.getOutputStream().write(("GET /file HTTP/1.1\r\nHost: " + host + "\r\n\r\n")
                                    .getBytes(StandardCharsets.US_ASCII));
                            String status = statusLine(s.getInputStream());
                            if (!status.startsWith("HTTP/1.1 200")) {
                                // Between a session's close and its client's return (404, 502), or a
                                // replica stopping, which closes new connections (the relay does not
                                // know, as a balancer soon would): never mid-download. Tried again.
                                Thread.sleep(100);
                                continue;
                            }
                            Download.readBody(s, size);
                            completed.incrementAndGet();
                        } catch (Exception e) {
                            failures.add(e.toString());
                        }
                    }
                    return null;
                });
            }
            for (int i = 0; i < cluster.size(); i++) {
                Thread.sleep(1500);
                cluster.replica(i).terminate();
                assertEquals(143, cluster.replica(i).awaitExit(Duration.ofSeconds(40)));
                cluster.start(i);
            }
            Thread.sleep(1500);
            restarting.set(false);
            visitors.shutdown();
            assertTrue(visitors.awaitTermination(60, TimeUnit.SECONDS));
            assertEquals(List.of(), failures, "no download cut or corrupted");
            assertTrue(completed.get() > 10, "downloads went on throughout: " + completed.get());
        }
    }

    /** Reads the head; empty if the connection closed before a whole head came. */
    private static String statusLine(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int state = 0;
        while (state < 4) {
            int b;
            try {
                b = in.read();
            } catch (java.net.SocketException reset) {
                return "";
            }
            if (b < 0) {
                return "";
            }
            head.append((char) b);
            state = (b == '\r' || b == '\n') ? state + 1 : 0;
        }
        return head.toString();
    }

    /**
     * A client that comes back as the Go client does: when its control connection closes, it
     * reconnects through the balancer with its ClientId after a pause, and asks for its tunnel
     * again.
     */
    private static final class ReconnectingClient implements AutoCloseable {
        private final String subdomain;
        private final int localPort;
        private final Thread loop;
        /** Earlier clients: their proxy connections may still carry downloads, as the Go client's do. */
        private final List<NgrokTestClient> earlier = new java.util.concurrent.CopyOnWriteArrayList<>();
        private volatile boolean closed;
        private volatile NgrokTestClient current;

        ReconnectingClient(String subdomain, int localPort) throws IOException {
            this.subdomain = subdomain;
            this.localPort = localPort;
            connect("");
            loop = new Thread(this::keepConnected, "reconnecting-client");
            loop.setDaemon(true);
            loop.start();
        }

        private void connect(String clientId) throws IOException {
            NgrokTestClient c = NgrokTestClient.connect("127.0.0.1", cluster.tunnelPort());
            try {
                assertEquals("", c.auth(TOKEN_1, clientId).str("Error"));
                c.setHeartbeat(Duration.ofSeconds(5));
                c.openProxy();
                String url = c.reqTunnel("http", "", subdomain, "", 0).get(0).str("Url");
                c.forward(url, "127.0.0.1", localPort);
                current = c;
            } catch (IOException | AssertionError e) {
                c.close();
                throw e;
            }
        }

        private void keepConnected() {
            while (!closed) {
                NgrokTestClient c = current;
                if (!c.awaitClosed(Duration.ofMillis(500)) || closed) {
                    continue;
                }
                String id = c.clientId();
                earlier.add(c);
                for (long pause = 250; !closed; pause = Math.min(2000, pause * 2)) {
                    try {
                        Thread.sleep(pause);
                        connect(id);
                        break;
                    } catch (IOException | AssertionError e) {
                        // the balancer may pick a stopping replica: as the Go client, try again
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }

        @Override
        public void close() {
            closed = true;
            current.close();
            earlier.forEach(NgrokTestClient::close);
        }
    }

    @Test
    @Order(9)
    void healthAndMetricsSpeakOfTheCluster() throws Exception {
        String ready = cluster.replica(0).get("/q/health/ready");
        assertTrue(ready.contains("\"cluster\""), ready);
        String well = cluster.replica(0).get("/q/health/well");
        assertTrue(well.contains("clusterReplicas"), well);
        String metrics = cluster.replica(0).get("/q/metrics");
        assertNotNull(metrics);
        assertTrue(metrics.contains("tunneld_cluster_forwarded_total"), "forwarded counters");
        assertTrue(metrics.contains("tunneld_cluster_redis_seconds_count"), "Redis latency");
    }
    @Test
    @Order(10)
    void aTlsSessionFromOneReplicaResumesOnAnother() throws Exception {
        double before = resumedOn(1);
        SSLSocketFactory tls = TlsDialer.trustAllContext().getSocketFactory();
        for (int replica : new int[] {0, 1, 1}) {
            // One name and port for the JDK's session cache whichever replica is reached, as behind a balancer.
            try (SSLSocket s = (SSLSocket) tls.createSocket(new Socket(host(replica), cluster.tunnelPort()),
                    "localhost", cluster.tunnelPort(), true)) {
                s.setSoTimeout(10_000);
                s.startHandshake();
                // The tickets come with the server's first bytes, here the AuthResp.
                Map<String, Object> auth = new java.util.LinkedHashMap<>(Map.of("Version", "2", "MmVersion", "1.7",
                        "User", TOKEN_1, "Password", "", "OS", "linux", "Arch", "amd64", "ClientId", ""));
                s.getOutputStream().write(WireFrames.encode("Auth", auth));
                assertEquals("AuthResp", WireFrames.read(s.getInputStream()).type());
            }
        }
        assertTrue(resumedOn(1) - before >= 2, "replica 1 resumed the sessions replica 0 and itself began");
    }

    private static double resumedOn(int replica) throws Exception {
        Matcher m = Pattern.compile("(?m)^tunneld_tls_sessions_resumed_total\\{listener=\"tunnel\"\\} ([0-9.eE+-]+)$")
                .matcher(cluster.replica(replica).get("/q/metrics"));
        assertTrue(m.find(), "replica " + replica + " counts resumed sessions");
        return Double.parseDouble(m.group(1));
    }
}
