package io.tunneld.client.inspect;

import static io.tunneld.testsupport.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.tunneld.testsupport.PublicClient;
import io.tunneld.testsupport.TunneldTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The inspection page's JSON API and the tap, through a real tunnel of the real server to a
 * real local service: what is kept is bounded, the page answers only local pages, and what the
 * inspector cannot read is still relayed.
 */
@QuarkusTest
class InspectApiTest extends TunneldTest {

    private static final String HOST = "inspect-api.localhost";

    private RecordingService web;
    private InspectedClient client;

    @BeforeEach
    void start() throws Exception {
        web = new RecordingService();
        client = new InspectedClient("server_addr: 127.0.0.1:" + ports.tunnel() + "\nauth_token: tunneld-test-token-1\n"
                + "inspect_addr: 127.0.0.1:0\n", "-tls-skip-verify", "-subdomain=inspect-api", "-proto=http",
                "" + web.port());
        client.tunnel("http");
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        web.close();
    }

    /** A request to the page; the answer's status line and body. */
    private String page(String method, String path, String host, String... headers) throws Exception {
        StringBuilder r = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\n");
        for (String h : headers) {
            r.append(h).append("\r\n");
        }
        return PublicClient.exchange(PublicClient.plain(client.views.inspectPort()),
                r.append("Content-Length: 0\r\nConnection: close\r\n\r\n").toString());
    }

    private JsonObject json(String answer) {
        return new JsonObject(answer.substring(answer.indexOf("\r\n\r\n") + 4));
    }

    private JsonArray exchanges() throws Exception {
        return json(page("GET", "/api/exchanges", "127.0.0.1")).getJsonArray("exchanges");
    }

    private String post(String path, String body) throws Exception {
        return PublicClient.exchange(PublicClient.plain(ports.http()), "POST " + path + " HTTP/1.1\r\nHost: " + HOST
                + "\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body);
    }

    @Test
    void thePageKeepsTheLast100ExchangesAndTheirBodiesUpTo64KiB() throws Exception {
        String big = "b".repeat(HttpTap.BODY_LIMIT + 1000);
        assertTrue(post("/big", big).endsWith("local POST /big " + big));
        for (int i = 0; i < 100; i++) {
            assertTrue(PublicClient.get(ports.http(), HOST, "/n" + i).endsWith("local GET /n" + i + " "));
        }
        eventually(() -> {
            try {
                JsonArray list = exchanges();
                return list.size() == 100 && list.getJsonObject(99).getString("uri").equals("/n99")
                        && list.getJsonObject(99).getInteger("status") == 200;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        JsonArray list = exchanges();
        assertEquals("/n0", list.getJsonObject(0).getString("uri"), "the oldest, /big, is forgotten");
        long bigId = list.getJsonObject(0).getLong("id") - 1;
        assertTrue(page("GET", "/api/exchanges/" + bigId, "localhost").startsWith("HTTP/1.1 404 "));
        long since = json(page("GET", "/api/exchanges", "localhost")).getLong("version");
        assertFalse(json(page("GET", "/api/exchanges?since=" + since, "localhost")).containsKey("exchanges"),
                "nothing new since");
    }

    @Test
    void aBodyLargerThanWhatIsKeptIsCountedAndNotReplayed() throws Exception {
        String big = "x".repeat(HttpTap.BODY_LIMIT * 2);
        assertTrue(post("/big", big).endsWith("local POST /big " + big));
        eventually(() -> {
            try {
                return exchanges().size() == 1 && exchanges().getJsonObject(0).containsKey("status");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        long id = exchanges().getJsonObject(0).getLong("id");
        JsonObject e = json(page("GET", "/api/exchanges/" + id, "127.0.0.1"));
        JsonObject body = e.getJsonObject("request").getJsonObject("body");
        assertEquals(HttpTap.BODY_LIMIT * 2, body.getInteger("size"));
        assertEquals(HttpTap.BODY_LIMIT, body.getInteger("kept"));
        assertEquals(HttpTap.BODY_LIMIT, body.getString("text").length());
        assertEquals(HttpTap.BODY_LIMIT * 2 + "local POST /big ".length(),
                e.getJsonObject("response").getJsonObject("body").getInteger("size"));
        String refused = page("POST", "/api/exchanges/" + id + "/replay", "127.0.0.1", "X-Tunneld-Inspect: 1");
        assertTrue(refused.startsWith("HTTP/1.1 409 "), refused);
        assertTrue(json(refused).getString("error").contains("larger than the 64 KiB kept"), refused);
        assertEquals(1, web.received.size());
    }

    @Test
    void onlyLocalPagesMayReadThePageOrReplay() throws Exception {
        post("/once", "1");
        eventually(() -> {
            try {
                return exchanges().size() == 1;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        long id = exchanges().getJsonObject(0).getLong("id");
        // DNS rebinding: a page of another site whose name now points to 127.0.0.1.
        String rebound = page("GET", "/api/exchanges", "evil.example:4040");
        assertTrue(rebound.startsWith("HTTP/1.1 403 "), rebound);
        // A form of another site can post, but not with the page's header.
        String forged = page("POST", "/api/exchanges/" + id + "/replay", "127.0.0.1");
        assertTrue(forged.startsWith("HTTP/1.1 403 "), forged);
        assertEquals(1, web.received.size());
        String replayed = page("POST", "/api/exchanges/" + id + "/replay", "localhost", "X-Tunneld-Inspect: 1");
        assertTrue(replayed.startsWith("HTTP/1.1 202 "), replayed);
        eventually(() -> web.count("POST /once 1") == 2);
        assertTrue(page("GET", "/", "[::1]").contains("<title>tunneld client: inspect</title>"));
    }

    /**
     * A local service that switches every connection to another protocol (101), then echoes:
     * what a WebSocket server does, byte for byte enough for the relay.
     */
    private static Thread switchingService(ServerSocket server) {
        Thread t = new Thread(() -> {
            try (Socket s = server.accept()) {
                InputStream in = s.getInputStream();
                StringBuilder head = new StringBuilder();
                while (!head.toString().endsWith("\r\n\r\n")) {
                    head.append((char) in.read());
                }
                OutputStream out = s.getOutputStream();
                out.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1));
                in.transferTo(out);
            } catch (IOException e) {
                // The test fails on what it did not get.
            }
        }, "switching-service");
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Test
    void aConnectionThatSwitchesProtocolsIsRelayedOnceTheInspectorStopsReadingIt() throws Exception {
        client.close();
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            switchingService(server);
            client = new InspectedClient("server_addr: 127.0.0.1:" + ports.tunnel() + "\nauth_token: tunneld-test-token-1\n"
                    + "inspect_addr: 127.0.0.1:0\n", "-tls-skip-verify", "-subdomain=inspect-api", "-proto=http",
                    "" + server.getLocalPort());
            client.tunnel("http");
            try (Socket s = PublicClient.plain(ports.http())) {
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                out.write(("GET /ws HTTP/1.1\r\nHost: " + HOST + "\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                StringBuilder head = new StringBuilder();
                while (!head.toString().endsWith("\r\n\r\n")) {
                    head.append((char) in.read());
                }
                assertTrue(head.toString().startsWith("HTTP/1.1 101 "), head.toString());
                // Not HTTP: the inspector would fail to read it, the relay carries it.
                byte[] notHttp = { (byte) 0x81, 0x05, 'h', 'e', 'l', 'l', 'o', 0, '\r', '\n', '\r', '\n' };
                out.write(notHttp);
                assertEquals(new String(notHttp, StandardCharsets.ISO_8859_1),
                        new String(PublicClient.readExactly(in, notHttp.length), StandardCharsets.ISO_8859_1));
                out.write("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                assertEquals("GET / HTTP/1.1\r\n\r\n", new String(PublicClient.readExactly(in, 18),
                        StandardCharsets.ISO_8859_1));
            }
            eventually(() -> {
                try {
                    JsonArray list = exchanges();
                    return list.size() == 1 && list.getJsonObject(0).getInteger("status", 0) == 101;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }
    }

    @Test
    void anHttpsTunnelsExchangesAreInspectedToo() throws Exception {
        client.close();
        client = new InspectedClient("server_addr: 127.0.0.1:" + ports.tunnel() + "\nauth_token: tunneld-test-token-1\n"
                + "inspect_addr: 127.0.0.1:0\n", "-tls-skip-verify", "-subdomain=inspect-api", "-proto=https",
                "" + web.port());
        String url = client.tunnel("https").publicUrl();
        String answer = PublicClient.exchange(PublicClient.tls(ports.https(), HOST),
                "GET /secure HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: close\r\n\r\n");
        assertTrue(answer.endsWith("local GET /secure "), answer);
        eventually(() -> {
            try {
                JsonArray list = exchanges();
                return list.size() == 1 && list.getJsonObject(0).getInteger("status", 0) == 200;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        JsonObject e = exchanges().getJsonObject(0);
        assertEquals(url, e.getString("tunnel"));
        assertEquals("/secure", e.getString("uri"));
    }
}
