package io.tunneld.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.tunneld.testclient.NgrokTestClient;
import io.tunneld.testsupport.EchoServer;
import io.tunneld.testsupport.LogRecords;
import io.tunneld.testsupport.PublicClient;
import io.tunneld.testsupport.StreamServer;
import io.tunneld.testsupport.TunneldTest;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

/** From the public side through a real session to a real local service, byte for byte. */
@QuarkusTest
class PublicTrafficTest extends TunneldTest {

    @Inject
    Vertx vertx;

    EchoServer echo;
    NgrokTestClient client;

    @BeforeEach
    void setUp() throws Exception {
        echo = new EchoServer();
        client = NgrokTestClient.connect("127.0.0.1", ports.tunnel());
        assertEquals("", client.auth("tunneld-test-token-1", "").str("Error"));
    }

    @AfterEach
    void tearDown() throws Exception {
        client.close();
        echo.close();
    }

    /** Opens a tunnel and points it at a local port; returns the tunnel's URL. */
    String tunnel(String protocol, String subdomain, String httpAuth, int localPort) throws IOException {
        String url = client.reqTunnel(protocol, "", subdomain, httpAuth, 0).get(0).str("Url");
        client.forward(url, "127.0.0.1", localPort);
        return url;
    }

    String host(String sub) {
        return sub + ".localhost:" + ports.http();
    }

    @Test
    void requestReachesTheLocalServiceExactlyAsSentAndTheAnswerComesBack() throws Exception {
        tunnel("http", "exact", "", echo.port());
        String request = "POST /a/b?c=d HTTP/1.1\r\nHost: EXACT.LocalHost:" + ports.http()
                + "\r\nX-Odd:  spaced\tvalue \r\nContent-Length: 5\r\n\r\nhello";
        assertEquals(request, PublicClient.echo(ports.http(), request));
    }

    @Test
    void hostWithoutPortOrWithTrailingDotAlsoRoutes() throws Exception {
        tunnel("http", "noport", "", echo.port());
        for (String host : new String[] { "noport.localhost", "noport.localhost.:" + ports.http() }) {
            String request = "GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
            assertEquals(request, PublicClient.echo(ports.http(), request));
        }
    }

    @Test
    void unknownHostGets404InOneXForm() throws Exception {
        String answer = PublicClient.get(ports.http(), host("nobody"), "/");
        assertTrue(answer.startsWith("HTTP/1.0 404 Not Found\r\n"), answer);
        assertTrue(answer.endsWith("\r\n\r\nTunnel " + host("nobody") + " not found\n"), answer);
    }

    @Test
    void notHttpGets400() throws Exception {
        for (String garbage : new String[] { "\u0016\u0003\u0001\u0002\u0000\u0001", "GET /\r\n\r\n",
                "GET / HTTP/1.1\r\n\r\n", "GET / HTTP/1.1\r\nHost: bad host!\r\n\r\n" }) {
            String answer = PublicClient.exchange(PublicClient.plain(ports.http()), garbage);
            assertTrue(answer.startsWith("HTTP/1.0 400 Bad Request\r\n"), garbage + " -> " + answer);
            assertTrue(answer.endsWith("Bad Request\n"));
        }
    }

    @Test
    void twoHostHeadersGet400EvenWhenBothNameTheTunnel() throws Exception {
        tunnel("http", "twice", "", echo.port());
        for (String second : new String[] { host("twice"), host("nobody"), "HOST: " + host("twice") }) {
            String header = second.startsWith("HOST: ") ? second : "Host: " + second;
            String answer = PublicClient.exchange(PublicClient.plain(ports.http()),
                    "GET / HTTP/1.1\r\nHost: " + host("twice") + "\r\n" + header + "\r\n\r\n");
            assertTrue(answer.startsWith("HTTP/1.0 400 Bad Request\r\n"), second + " -> " + answer);
        }
        String one = "GET / HTTP/1.1\r\nHost: " + host("twice") + "\r\n\r\n";
        assertEquals(one, PublicClient.echo(ports.http(), one));
    }

    @Test
    void onlySpacesAndTabsAroundTheHostAreIgnoredNotControlCharacters() throws Exception {
        tunnel("http", "ows", "", echo.port());
        String request = "GET / HTTP/1.1\r\nHost:\t " + host("ows") + " \t\r\n\r\n";
        assertEquals(request, PublicClient.echo(ports.http(), request));
        for (String host : new String[] { "\u0000" + host("ows"), host("ows") + "\u0001", "\u000b" + host("ows"),
                host("ows") + "\u001f" }) {
            String answer = PublicClient.get(ports.http(), host, "/");
            assertTrue(answer.startsWith("HTTP/1.0 400 Bad Request\r\n"), host + " -> " + answer);
        }
    }

    @Test
    void basicAuthIsEnforced() throws Exception {
        tunnel("http", "locked", "user:pass", echo.port());
        for (String[] headers : new String[][] { {}, { "Authorization: Basic d3Jvbmc6d3Jvbmc=" },
                { "Authorization: Bearer dXNlcjpwYXNz" }, { "Authorization: Basic \u0001dXNlcjpwYXNz" },
                { "Authorization: Basic dXNlcjpwYXNz\u0000" } }) {
            String answer = PublicClient.get(ports.http(), host("locked"), "/", headers);
            assertTrue(answer.startsWith("HTTP/1.0 401 Not Authorized\r\n"), answer);
            assertTrue(answer.contains("\r\nWWW-Authenticate: Basic realm=\"ngrok\"\r\n"), answer);
            assertTrue(answer.endsWith("Authorization required\n"), answer);
        }
        String request = "GET / HTTP/1.1\r\nHost: " + host("locked") + "\r\nAuthorization: basic dXNlcjpwYXNz\r\n\r\n";
        assertEquals(request, PublicClient.echo(ports.http(), request), "right credentials pass, header forwarded unchanged");
    }

    @Test
    void slowRequestHeadIsAnsweredWith408AfterTheDeadline() throws Exception {
        try (Socket s = PublicClient.plain(ports.http())) {
            s.getOutputStream().write(("GET / HTTP/1.1\r\nHost: " + host("slow")).getBytes(StandardCharsets.US_ASCII));
            long start = System.nanoTime();
            String answer = PublicClient.readAll(s.getInputStream());
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(answer.startsWith("HTTP/1.0 408 Request Timeout\r\n"), answer);
            assertTrue(ms >= 1500 && ms < 6000, "answered after " + ms + " ms (deadline 2 s)");
        }
    }

    @Test
    void hugeHeadIsRefusedWith431() throws Exception {
        String request = "GET / HTTP/1.1\r\nHost: " + host("big") + "\r\nX-Big: " + "a".repeat(40_000) + "\r\n\r\n";
        String answer = PublicClient.exchange(PublicClient.plain(ports.http()), request);
        assertTrue(answer.startsWith("HTTP/1.0 431 "), answer);
    }

    @Test
    void noProxyInTimeGets502() throws Exception {
        try (NgrokTestClient silent = connect()) {
            silent.auth("tunneld-test-token-1", "");
            String url = silent.reqTunnel("http", "", "stalled", "", 0).get(0).str("Url");
            silent.forward(url, "127.0.0.1", echo.port());
            long start = System.nanoTime();
            String answer = PublicClient.get(ports.http(), host("stalled"), "/");
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(answer.startsWith("HTTP/1.0 502 Bad Gateway\r\n"), answer);
            assertTrue(ms >= 1500 && ms < 6000, "answered after " + ms + " ms (wait limit 2 s)");
        }
    }

    @Test
    void eachUseAsksForOneMoreProxy() throws Exception {
        tunnel("http", "refill", "", echo.port());
        int before = client.reqProxyCount();
        for (int i = 0; i < 3; i++) {
            String request = "GET /" + i + " HTTP/1.1\r\nHost: " + host("refill") + "\r\n\r\n";
            assertEquals(request, PublicClient.echo(ports.http(), request));
        }
        assertTrue(client.reqProxyCount() >= before + 3, before + " -> " + client.reqProxyCount());
    }

    @Test
    void aBurstLargerThanTheProxyLimitIsServedWithoutWaitingForTimeouts() throws Exception {
        tunnel("http", "burst", "", echo.port());
        int connections = 30; // three times tunneld.limits.proxies-per-client
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < connections; i++) {
                Socket s = PublicClient.plain(ports.http());
                s.getOutputStream().write(("GET /" + i + " HTTP/1.1\r\nHost: " + host("burst") + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                sockets.add(s);
            }
            // Were the rounds not asked for, connections past the limit would get a 502 when
            // the 2 s proxy wait ran out, instead of their echo.
            for (int i = 0; i < connections; i++) {
                String expected = "GET /" + i + " HTTP/1.1\r\nHost: " + host("burst") + "\r\n\r\n";
                byte[] back = PublicClient.readExactly(sockets.get(i).getInputStream(), expected.length());
                assertEquals(expected, new String(back, StandardCharsets.US_ASCII));
            }
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    @Test
    void httpsIsTerminatedByTheServer() throws Exception {
        String url = client.reqTunnel("https", "", "secure", "", 0).get(0).str("Url");
        client.forward(url, "127.0.0.1", echo.port());
        String request = "GET /tls HTTP/1.1\r\nHost: secure.localhost:" + ports.https() + "\r\n\r\n";
        try (Socket s = PublicClient.tls(ports.https(), "secure.localhost")) {
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            assertEquals(request, new String(PublicClient.readExactly(s.getInputStream(), request.length()),
                    StandardCharsets.ISO_8859_1), "plain bytes reach the client");
        }
    }

    @Test
    void tcpTunnelCarriesBytesBothWays() throws Exception {
        String url = client.reqTunnel("tcp", "", "", "", 0).get(0).str("Url");
        client.forward(url, "127.0.0.1", echo.port());
        int port = Integer.parseInt(url.substring(url.lastIndexOf(':') + 1));
        try (Socket s = PublicClient.plain(port)) {
            byte[] bytes = new byte[100_000];
            new Random(1).nextBytes(bytes);
            s.getOutputStream().write(bytes);
            assertArrayEquals(bytes, PublicClient.readExactly(s.getInputStream(), bytes.length));
        }
    }

    @Test
    void aTcpTunnelTakesConnectionsOnEveryEventLoop() throws Exception {
        String url = client.reqTunnel("tcp", "", "", "", 0).get(0).str("Url");
        client.forward(url, "127.0.0.1", echo.port());
        int port = Integer.parseInt(url.substring(url.lastIndexOf(':') + 1));
        Set<String> threads;
        try (LogRecords records = new LogRecords()) {
            for (int i = 0; i < 4; i++) {
                try (Socket s = PublicClient.plain(port)) {
                    s.getOutputStream().write('x');
                    assertEquals('x', s.getInputStream().read());
                }
            }
            threads = records.lines().stream().filter(line -> line.text().startsWith(url + ": connection from"))
                    .map(LogRecords.Line::thread).collect(Collectors.toSet());
        }
        // The test profile serves on two loops; one loop would join most connections across threads.
        assertEquals(2, threads.size(), "accepted on " + threads);
    }

    @Test
    void largeUploadAndDownloadPassUnchanged() throws Exception {
        tunnel("http", "bulk", "", echo.port());
        int size = 32 * 1024 * 1024;
        try (Socket s = PublicClient.plain(ports.http())) {
            String head = "PUT /up HTTP/1.1\r\nHost: " + host("bulk") + "\r\nContent-Length: " + size + "\r\n\r\n";
            MessageDigest sent = MessageDigest.getInstance("SHA-256");
            CompletableFuture<byte[]> writer = CompletableFuture.supplyAsync(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    out.write(head.getBytes(StandardCharsets.US_ASCII));
                    sent.update(head.getBytes(StandardCharsets.US_ASCII));
                    Random random = new Random(7);
                    byte[] chunk = new byte[256 * 1024];
                    for (int done = 0; done < size; done += chunk.length) {
                        random.nextBytes(chunk);
                        out.write(chunk);
                        sent.update(chunk);
                    }
                    return sent.digest();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            MessageDigest received = MessageDigest.getInstance("SHA-256");
            InputStream in = s.getInputStream();
            byte[] buf = new byte[256 * 1024];
            long total = 0;
            while (total < head.length() + (long) size) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, head.length() + (long) size - total));
                assertTrue(n > 0, "stream ended early at " + total);
                received.update(buf, 0, n);
                total += n;
            }
            assertArrayEquals(writer.get(30, TimeUnit.SECONDS), received.digest());
        }
    }

    @Test
    void aReaderThatStopsHoldsBackTheLocalServiceInsteadOfFillingMemory() throws Exception {
        long size = 512L * 1024 * 1024;
        try (StreamServer stream = new StreamServer(size)) {
            tunnel("http", "firehose", "", stream.port());
            try (Socket s = PublicClient.plain(ports.http())) {
                s.setReceiveBufferSize(64 * 1024);
                s.getOutputStream().write(("GET / HTTP/1.1\r\nHost: " + host("firehose") + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                InputStream in = s.getInputStream();
                byte[] first = PublicClient.readExactly(in, 1024);
                Thread.sleep(3000);
                long written = stream.written();
                assertTrue(written < 128L * 1024 * 1024,
                        "local service got " + (written >> 20) + " MiB ahead of a stalled reader");
                // Then everything arrives, in order.
                String text = new String(first, StandardCharsets.ISO_8859_1);
                int bodyStart = text.indexOf("\r\n\r\n") + 4;
                long index = 0;
                for (int i = bodyStart; i < first.length; i++, index++) {
                    assertEquals(StreamServer.bodyByte(index), first[i]);
                }
                byte[] buf = new byte[256 * 1024];
                int n;
                while ((n = in.read(buf)) > 0) {
                    for (int i = 0; i < n; i++, index++) {
                        if (buf[i] != StreamServer.bodyByte(index)) {
                            throw new AssertionError("body byte " + index + " differs");
                        }
                    }
                }
                assertEquals(size, index);
            }
        }
    }

    @Test
    void webSocketUpgradePassesThrough() throws Exception {
        HttpServer ws = vertx.createHttpServer()
                .requestHandler(request -> request.toWebSocket().onSuccess(socket -> socket.textMessageHandler(socket::writeTextMessage)))
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        try {
            tunnel("http", "ws", "", ws.actualPort());
            try (Socket s = PublicClient.plain(ports.http())) {
                s.getOutputStream().write(("GET /chat HTTP/1.1\r\nHost: " + host("ws") + "\r\nUpgrade: websocket\r\n"
                        + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                InputStream in = s.getInputStream();
                String response = readHead(in);
                assertTrue(response.startsWith("HTTP/1.1 101 Switching Protocols"), response);
                assertTrue(response.contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), response);
                byte[] payload = "hello through the tunnel".getBytes(StandardCharsets.UTF_8);
                byte[] mask = { 1, 2, 3, 4 };
                byte[] frame = new byte[6 + payload.length];
                frame[0] = (byte) 0x81;
                frame[1] = (byte) (0x80 | payload.length);
                System.arraycopy(mask, 0, frame, 2, 4);
                for (int i = 0; i < payload.length; i++) {
                    frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
                }
                s.getOutputStream().write(frame);
                byte[] echoed = PublicClient.readExactly(in, 2 + payload.length);
                assertEquals((byte) 0x81, echoed[0]);
                assertEquals(payload.length, echoed[1]);
                assertEquals("hello through the tunnel", new String(echoed, 2, payload.length, StandardCharsets.UTF_8));
            }
        } finally {
            ws.close();
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (!sb.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            sb.append((char) b);
        }
        return sb.toString();
    }
}
