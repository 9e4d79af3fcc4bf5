package io.tunneld.server;

import static io.restassured.RestAssured.given;
import static io.tunneld.testsupport.PackagedServer.TOKEN;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.Test;

import io.tunneld.testclient.Frame;
import io.tunneld.testclient.NgrokTestClient;
import io.tunneld.testsupport.BuiltArtifact;
import io.tunneld.testsupport.EchoServer;
import io.tunneld.testsupport.PackagedServer;
import io.tunneld.testsupport.PublicClient;

/**
 * The packaged server (the jar here, the native executable where one is built) with one TLS
 * configuration: an ngrok session sends and receives every message type over real TLS, and
 * visitors reach its HTTP, HTTPS and TCP tunnels. What a native executable reaches only through
 * configuration or by reflection is reached here: the protocol's Jackson records, the TLS engine
 * and the certificate, so that a missing registration fails a test, not a user.
 */
abstract class NgrokSessionOverTls {

    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Where the server under test listens. */
    abstract PackagedServer server();

    /** What the start-up line says serves TLS. */
    abstract String expectedEngine();

    /** Fails unless the server serves the certificate this configuration should. */
    abstract void assertServed(X509Certificate certificate) throws Exception;

    @Test
    void aSessionExchangesEveryMessageOverTlsAndVisitorsReachItsTunnels() throws Exception {
        PackagedServer server = server();
        try (EchoServer echo = new EchoServer();
                NgrokTestClient client = NgrokTestClient.connect("127.0.0.1", server.tunnelPort())) {
            Frame authResp = client.auth(TOKEN, "");
            assertEquals("", authResp.str("Error"), "AuthResp");
            assertFalse(authResp.str("ClientId").isEmpty(), "a ClientId");
            // The test client answers each ReqProxy with a proxy connection that sends RegProxy.
            assertNotNull(client.awaitFrame("ReqProxy", WAIT), "ReqProxy");

            List<Frame> web = client.reqTunnel("http+https", "", "native", "", 0);
            assertEquals(2, web.size(), "a NewTunnel per protocol: " + web);
            for (Frame newTunnel : web) {
                assertEquals("", newTunnel.str("Error"), "NewTunnel");
                client.forward(newTunnel.str("Url"), "127.0.0.1", echo.port());
            }
            String tcpUrl = client.reqTunnel("tcp", "", "", "", 0).get(0).str("Url");
            client.forward(tcpUrl, "127.0.0.1", echo.port());

            String request = "GET /through-the-tunnel HTTP/1.1\r\nHost: native.localhost\r\n\r\n";
            assertEquals(request, echoed(PublicClient.plain(server.httpPort()), request), "over HTTP");
            SSLSocket https = PublicClient.tls(server.httpsPort(), "native.localhost");
            assertServed((X509Certificate) https.getSession().getPeerCertificates()[0]);
            assertEquals(request, echoed(https, request), "over HTTPS");
            String line = "bytes through a TCP tunnel\n";
            int tcpPort = Integer.parseInt(tcpUrl.substring(tcpUrl.lastIndexOf(':') + 1));
            assertEquals(line, echoed(new Socket("127.0.0.1", tcpPort), line), "over TCP");
            // Each visitor above was announced to a proxy connection by StartProxy.
            assertNotNull(client.awaitFrame("StartProxy", WAIT), "StartProxy");

            client.ping();
            assertNotNull(client.awaitFrame("Pong", WAIT), "Pong");
        }
    }

    @Test
    void theTunnelPortServesTheConfiguredCertificate() throws Exception {
        try (SSLSocket control = NgrokTestClient.openTls("127.0.0.1", server().tunnelPort())) {
            assertServed((X509Certificate) control.getSession().getPeerCertificates()[0]);
        }
    }

    @Test
    void oneStartLineSaysWhichEngineServesTlsOnWhichTransport() throws Exception {
        String expected = "TLS engine: " + expectedEngine() + "; transport: epoll";
        List<String> lines = PackagedServer.logLines().stream().filter(l -> l.contains("TLS engine:")).toList();
        assertEquals(1, lines.size(), "one line: " + lines);
        assertTrue(lines.get(0).endsWith(expected), lines.get(0) + " should end with " + expected);
    }

    @Test
    void healthAndMetricsAnswer() {
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("tunneld_tls_certificate_expiry_timestamp_seconds{listener=\"tunnel\"}"));
    }

    /** What the default engine is where these tests run: BoringSSL, except in a native executable. */
    static String defaultEngine() {
        return BuiltArtifact.isNative() ? "JDK (BoringSSL cannot serve a native executable)"
                : "BoringSSL (netty-tcnative)";
    }

    /** Sends {@code text} and reads back as many bytes: the echo service's answer. */
    private static String echoed(Socket socket, String text) throws IOException {
        try (socket) {
            socket.setSoTimeout((int) WAIT.toMillis());
            socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
            return new String(PublicClient.readExactly(socket.getInputStream(), text.length()),
                    StandardCharsets.ISO_8859_1);
        }
    }
}
