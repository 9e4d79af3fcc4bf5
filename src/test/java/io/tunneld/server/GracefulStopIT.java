package io.tunneld.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.tunneld.testclient.NgrokTestClient;
import io.tunneld.testsupport.Download;
import io.tunneld.testsupport.StreamServer;
import io.tunneld.testsupport.TunneldProcess;

/**
 * A single node stopped as Kubernetes stops a pod (SIGTERM) while public connections run
 * through it: it is no longer ready, refuses new sessions by closing them (a stock client would
 * quit on an error; closed, it retries), lets every download finish intact and serves a
 * visitor still sending its request, then closes its sessions and exits.
 */
class GracefulStopIT {

    private static final String HOST = "127.0.0.9";
    private static final String TOKEN = "graceful-stop-token-1";

    @Test
    void twentyDownloadsInFlightFinishIntactBeforeTheServerStops() throws Exception {
        int tunnel = freePort();
        int http = freePort();
        int health = freePort();
        long size = 4L << 20;
        try (TunneldProcess server = TunneldProcess.start("single-node", HOST, health, settings(tunnel, http));
                StreamServer downloads = new StreamServer(size, 256 * 1024);
                NgrokTestClient client = NgrokTestClient.connect(HOST, tunnel)) {
            assertEquals("", client.auth(TOKEN, "").str("Error"));
            client.openProxy();
            String url = client.reqTunnel("http", "", "", "", 0).get(0).str("Url");
            client.forward(url, "127.0.0.1", downloads.port());
            String hostHeader = url.substring(url.indexOf("://") + 3);

            ExecutorService readers = Executors.newFixedThreadPool(20);
            List<Future<Long>> done = new ArrayList<>();
            CountDownLatch joined = new CountDownLatch(20);
            for (int i = 0; i < 20; i++) {
                Socket s = new Socket(HOST, http);
                s.setSoTimeout(30_000);
                s.getOutputStream().write(("GET /big HTTP/1.1\r\nHost: " + hostHeader + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                done.add(readers.submit(() -> {
                    try (s) {
                        Download.readHead(s);
                        joined.countDown();
                        return Download.readBody(s, size);
                    }
                }));
            }
            // Every download joined, its answer begun, the rest held back by the local service
            // until the stop has begun: whatever the socket buffers hold, twenty connections are
            // joined at SIGTERM. (With the whole body let through, a fast machine's buffers took
            // it all and the relays were done before the stop.)
            assertTrue(joined.await(30, TimeUnit.SECONDS), "twenty downloads started");
            server.terminate();
            awaitStopping(server);
            assertTrue(server.output().stream().anyMatch(l -> l.contains("stopping: 20 joined connection(s) may finish")),
                    server.output().toString());
            try (NgrokTestClient late = NgrokTestClient.connect(HOST, tunnel)) {
                late.sendAuth(TOKEN, "");
                assertTrue(late.awaitClosed(Duration.ofSeconds(5)), "a new session is closed, not answered");
                assertTrue(late.received().isEmpty(), "no AuthResp error, which would make a stock client quit");
            }
            downloads.release();
            for (Future<Long> d : done) {
                assertEquals(size, d.get(60, TimeUnit.SECONDS), "every byte of every download");
            }
            readers.shutdownNow();
            assertEquals(143, server.awaitExit(Duration.ofSeconds(30)));
            assertTrue(client.awaitClosed(Duration.ofSeconds(5)), "the session closed at the end");
            String log = String.join("\n", server.output());
            assertTrue(log.contains("every connection finished"), log);
            assertTrue(!log.contains("RejectedExecutionException"), "a quiet stop");
        }
    }

    /**
     * A visitor halfway through its request head at SIGTERM, so not joined: accepted before
     * the stop closed new connections, it is served whole before the session closes.
     */
    @Test
    void aVisitorStillSendingItsRequestAtTheStopIsServedWhole() throws Exception {
        int tunnel = freePort();
        int http = freePort();
        int health = freePort();
        long size = 1L << 20;
        try (TunneldProcess server = TunneldProcess.start("single-node-head", HOST, health, settings(tunnel, http));
                StreamServer downloads = new StreamServer(size);
                NgrokTestClient client = NgrokTestClient.connect(HOST, tunnel);
                Socket visitor = new Socket(HOST, http)) {
            assertEquals("", client.auth(TOKEN, "").str("Error"));
            client.openProxy();
            String url = client.reqTunnel("http", "", "", "", 0).get(0).str("Url");
            client.forward(url, "127.0.0.1", downloads.port());
            visitor.setSoTimeout(30_000);
            OutputStream request = visitor.getOutputStream();
            request.write(("GET /big HTTP/1.1\r\nHost: " + url.substring(url.indexOf("://") + 3) + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            awaitAccepted(server);

            server.terminate();
            awaitNewConnectionsClosed(http);
            request.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            Download.readHead(visitor);
            assertEquals(size, Download.readBody(visitor, size), "every byte");

            assertEquals(143, server.awaitExit(Duration.ofSeconds(30)));
            assertTrue(client.awaitClosed(Duration.ofSeconds(5)), "the session closed after the download");
            String log = String.join("\n", server.output());
            assertTrue(log.contains("every connection finished"), log);
        }
    }

    /** A node with its tunnel and HTTP ports on {@link #HOST}, no HTTPS or TCP tunnels, the default drain. */
    private static Map<String, String> settings(int tunnel, int http) {
        return Map.of(
                "TUNNELD_TUNNEL_HOST", HOST, "TUNNELD_TUNNEL_PORT", String.valueOf(tunnel),
                "TUNNELD_HTTP_HOST", HOST, "TUNNELD_HTTP_PORT", String.valueOf(http),
                "TUNNELD_HTTPS_ENABLED", "false", "TUNNELD_TCP_ENABLED", "false",
                "TUNNELD_AUTH_TOKENS", TOKEN, "TUNNELD_TIMEOUTS_DRAIN", "25s");
    }

    /** Waits until the server has taken the visitor's connection (it counts it as it does). */
    private static void awaitAccepted(TunneldProcess server) throws IOException, InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!server.get("/q/metrics").contains("tunneld_public_connections_total{protocol=\"http\"} 1.0")) {
            if (System.nanoTime() > end) {
                throw new AssertionError("the visitor's connection not counted within 10 s");
            }
            Thread.sleep(20);
        }
    }

    /**
     * Waits until a new public connection is closed at once: the stop's last wait has begun.
     * A probe the server still takes waits for a request; it is dropped after 200 ms.
     */
    private static void awaitNewConnectionsClosed(int http) throws IOException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < end) {
            try (Socket probe = new Socket(HOST, http)) {
                probe.setSoTimeout(200);
                if (probe.getInputStream().read() < 0) {
                    return;
                }
            } catch (SocketTimeoutException e) {
                // Taken, not closed: the stop has not got that far.
            } catch (IOException e) {
                return; // reset or refused: closed at once
            }
        }
        throw new AssertionError("new connections still taken 10 s after SIGTERM");
    }

    /**
     * Waits for the graceful stop to begin. Readiness is no signal: Quarkus closes its HTTP
     * server at SIGTERM, possibly before the stop has begun, and a session let in meanwhile
     * is served as usual.
     */
    private static void awaitStopping(TunneldProcess server) throws IOException, InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.output().stream().noneMatch(line -> line.contains("stopping: "))) {
            if (System.nanoTime() > end) {
                throw new AssertionError("no graceful stop 10 s after SIGTERM: " + server.output());
            }
            Thread.sleep(20);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
