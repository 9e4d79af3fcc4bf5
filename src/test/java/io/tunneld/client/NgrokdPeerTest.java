package io.tunneld.client;

import static io.tunneld.testsupport.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.tunneld.client.cli.CommandLineParser;
import io.tunneld.client.config.ClientConfig;
import io.tunneld.client.config.ConfigFile;
import io.tunneld.client.log.ClientLog;
import io.tunneld.client.observe.ClientObserver;
import io.tunneld.client.observe.OpenTunnel;
import io.tunneld.client.session.ClientSession;
import io.tunneld.testclient.Frame;

/**
 * The client against what the original ngrokd 1.7 sends, where ngrokd differs from tunneld:
 * a scripted peer over real TLS (verified against its CA file) writes ngrokd's own frames from
 * {@code protocol-samples}: ReqProxy right after AuthResp before any tunnel is asked for, an
 * https URL that carries the http port, StartProxy for it, tunnel errors without a ReqId and
 * with ngrokd's log prefixes (the full ClientId among them), and its tcp affinity after a
 * reconnect, which hands a tunnel without remote_port the fixed port of another.
 */
class NgrokdPeerTest {

    private static final String CLIENT_ID = "ab1df7b4d9d5ba215b600a83898c3fdc";

    private ScriptedNgrokd ngrokd;
    private LocalHttpService web;
    private ClientSession session;
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private final BlockingQueue<OpenTunnel> opened = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() throws Exception {
        ngrokd = new ScriptedNgrokd();
        web = new LocalHttpService();
    }

    @AfterEach
    void stop() throws Exception {
        if (session != null) {
            session.close();
        }
        ngrokd.close();
        web.close();
    }

    private void client(String tunnels, String... args) throws Exception {
        String yaml = "server_addr: localhost:" + ngrokd.port() + "\ntls_ca_file: " + ngrokd.caFile()
                + "\ninspect_addr: disabled\n" + tunnels;
        ClientConfig config = ConfigFile.parse(yaml, "test.yml", Map.of())
                .with(CommandLineParser.parse(args, Map.of()).overrides());
        session = ClientSession.start(config, ClientLog.to(log, ClientLog.Level.DEBUG), new ClientObserver() {
            @Override
            public void tunnelOpened(OpenTunnel tunnel) {
                opened.add(tunnel);
            }
        });
    }

    private String log() {
        return log.toString(StandardCharsets.UTF_8);
    }

    private OpenTunnel nextTunnel() throws InterruptedException {
        OpenTunnel t = opened.poll(10, TimeUnit.SECONDS);
        assertNotNull(t, "no tunnel opened within 10 s; log:\n" + log());
        return t;
    }

    /** ngrokd's AuthResp for {@code id} and the ReqProxy it sends at once after it. */
    private static void accept(ScriptedNgrokd.Conn control, String id) throws Exception {
        control.send(ScriptedNgrokd.sample("{\"Type\":\"AuthResp\"").replace(CLIENT_ID, id));
        control.send(ScriptedNgrokd.sample("{\"Type\":\"ReqProxy\""));
    }

    @Test
    void httpAndHttpsAsNgrokdOpensThemWithTheHttpsUrlOnTheHttpPort() throws Exception {
        client("", "-subdomain=wire", "-httpauth=user:pass", "" + web.port());
        ScriptedNgrokd.Conn control = ngrokd.control();
        Frame auth = control.first();
        assertEquals("2", auth.str("Version"));
        assertEquals("1.7", auth.str("MmVersion"));
        assertEquals("", auth.str("ClientId"));
        accept(control, CLIENT_ID);

        // ngrokd asks for a proxy before any tunnel exists: the client opens it at once.
        ScriptedNgrokd.Conn proxy = ngrokd.proxy();
        assertEquals("RegProxy", proxy.first().type());
        assertEquals(CLIENT_ID, proxy.first().str("ClientId"));

        Frame req = control.read();
        assertEquals("ReqTunnel", req.type());
        assertEquals("http+https", req.str("Protocol"));
        assertEquals("wire", req.str("Subdomain"));
        assertEquals("user:pass", req.str("HttpAuth"));
        String reqId = req.str("ReqId");
        control.send(ScriptedNgrokd.sample("\"Url\":\"http://wire.ngrok.local:18000\"").replace("e4c27636b98d1e72", reqId));
        control.send(ScriptedNgrokd.sample("\"Url\":\"https://wire.ngrok.local:18000\"").replace("e4c27636b98d1e72", reqId));
        assertEquals("http://wire.ngrok.local:18000", nextTunnel().publicUrl());
        assertEquals("https://wire.ngrok.local:18000", nextTunnel().publicUrl());
        eventually(() -> log().contains("[INFO] [client] Tunnel established at https://wire.ngrok.local:18000\n"));

        // A visitor of the https tunnel: ngrokd names the tunnel by its URL, http port and all.
        proxy.send("{\"Type\":\"StartProxy\",\"Payload\":{\"Url\":\"https://wire.ngrok.local:18000\","
                + "\"ClientAddr\":\"127.0.0.1:48848\"}}");
        proxy.out().write("GET /hello.txt HTTP/1.1\r\nHost: wire.ngrok.local:18000\r\nConnection: close\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        String answer = new String(proxy.in().readAllBytes(), StandardCharsets.US_ASCII);
        assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
        assertTrue(answer.endsWith("local GET /hello.txt 0"), answer);
        assertFalse(log().contains(CLIENT_ID), "the full ClientId is not logged:\n" + log());
    }

    @Test
    void proxiesNgrokdDiscardsAreDroppedQuietlyAndEachReqProxyGetsANewOne() throws Exception {
        client("", "-proto=http", "-subdomain=wire", "" + web.port());
        ScriptedNgrokd.Conn control = ngrokd.control();
        accept(control, CLIENT_ID);
        // "Proxies buffer is full, discarding": ngrokd closes a proxy as soon as it registers.
        ngrokd.proxy().socket().close();
        for (int i = 0; i < 3; i++) {
            control.send(ScriptedNgrokd.sample("{\"Type\":\"ReqProxy\""));
        }
        for (int i = 0; i < 3; i++) {
            assertEquals(CLIENT_ID, ngrokd.proxy().first().str("ClientId"));
        }
        assertFalse(log().contains("[WARN]") || log().contains("[EROR]"), log());
    }

    @Test
    void aTunnelNgrokdRefusesStopsTheClientWithTheReasonWithoutNgrokdsLogPrefixes() throws Exception {
        client("", "-proto=tcp", "" + web.port());
        ScriptedNgrokd.Conn control = ngrokd.control();
        accept(control, CLIENT_ID);
        assertEquals("tcp", control.read().str("Protocol"));
        control.send(ScriptedNgrokd.sample("Error binding TCP listener").replace("a10ac4ca6dc8e12439adb346376ba418", CLIENT_ID));
        String reason = session.stopped().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals("Server failed to allocate tunnel: Error binding TCP listener: listen tcp 0.0.0.0:27900: bind:"
                + " address already in use", reason);
        assertFalse(log().contains(CLIENT_ID), "the full ClientId is not logged:\n" + log());
    }

    @Test
    void fixedTcpPortsAreAskedForFirstAndATunnelRefusedAfterAReconnectIsAskedForAgain() throws Exception {
        client("tunnels:\n  echo:\n    proto:\n      tcp: " + web.port() + "\n"
                + "  echofixed:\n    remote_port: 27900\n    proto:\n      tcp: " + web.port() + "\n", "start-all");
        ScriptedNgrokd.Conn first = ngrokd.control();
        accept(first, CLIENT_ID);
        Map<String, String> urls = Map.of("27900", "tcp://localhost:27900", "0", "tcp://localhost:35981");
        answerTcp(first, urls);
        nextTunnel();
        nextTunnel();
        first.socket().close();

        // Back with its ClientId; ngrokd refuses one tunnel (as its affinity made it do above).
        ScriptedNgrokd.Conn second = ngrokd.control();
        assertEquals(CLIENT_ID, second.first().str("ClientId"));
        accept(second, CLIENT_ID);
        Frame fixed = second.read();
        assertEquals(27900, fixed.payload().get("RemotePort").asInt());
        second.send(ScriptedNgrokd.sample("Error binding TCP listener").replace("a10ac4ca6dc8e12439adb346376ba418", CLIENT_ID));

        // Not a stop: the client comes back once more and gets both.
        ScriptedNgrokd.Conn third = ngrokd.control();
        assertEquals(CLIENT_ID, third.first().str("ClientId"));
        accept(third, CLIENT_ID);
        answerTcp(third, urls);
        assertEquals("tcp://localhost:27900", nextTunnel().publicUrl());
        assertEquals("tcp://localhost:35981", nextTunnel().publicUrl());
        assertFalse(session.stopped().isComplete(), log());
        assertTrue(log().matches("(?s).*\\[WARN\\] \\[client\\] Server failed to allocate tunnel: Error binding TCP"
                + " listener: listen tcp 0\\.0\\.0\\.0:27900: bind: address already in use\\. Reconnecting in \\d\\.\\d s"
                + " as client ab1df7b4\\.\\.\\., to get the same URLs back\n.*"), log());
    }

    @Test
    void aNameTakenAfterAReconnectIsAskedForAgainWithBackoffNotAStop() throws Exception {
        client("", "-proto=http", "-subdomain=wire", "" + web.port());
        ScriptedNgrokd.Conn first = ngrokd.control();
        accept(first, CLIENT_ID);
        String reqId = first.read().str("ReqId");
        first.send(ScriptedNgrokd.sample("\"Url\":\"http://wire.ngrok.local:18000\"").replace("e4c27636b98d1e72", reqId));
        nextTunnel();
        first.socket().close();

        ScriptedNgrokd.Conn second = ngrokd.control();
        accept(second, CLIENT_ID);
        second.read();
        second.send(ScriptedNgrokd.sample("is already registered."));

        ScriptedNgrokd.Conn third = ngrokd.control();
        assertEquals(CLIENT_ID, third.first().str("ClientId"));
        accept(third, CLIENT_ID);
        reqId = third.read().str("ReqId");
        third.send(ScriptedNgrokd.sample("\"Url\":\"http://wire.ngrok.local:18000\"").replace("e4c27636b98d1e72", reqId));
        assertEquals("http://wire.ngrok.local:18000", nextTunnel().publicUrl());
        assertFalse(session.stopped().isComplete(), log());
        assertTrue(log().contains("[WARN] [client] Server failed to allocate tunnel: The tunnel"
                + " http://wire.ngrok.local:18000 is already registered. Reconnecting in "), log());
    }

    /** Reads the two tcp ReqTunnels, the fixed port's first, and grants both. */
    private static void answerTcp(ScriptedNgrokd.Conn control, Map<String, String> urls) throws Exception {
        Frame a = control.read();
        Frame b = control.read();
        assertEquals(27900, a.payload().get("RemotePort").asInt(), "the fixed port is asked for first");
        assertEquals(0, b.payload().get("RemotePort").asInt());
        for (Frame req : new Frame[] { a, b }) {
            control.send("{\"Type\":\"NewTunnel\",\"Payload\":{\"ReqId\":\"" + req.str("ReqId") + "\",\"Url\":\""
                    + urls.get(req.payload().get("RemotePort").asText()) + "\",\"Protocol\":\"tcp\",\"Error\":\"\"}}");
        }
    }
}
