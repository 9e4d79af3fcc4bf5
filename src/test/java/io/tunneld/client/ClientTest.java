package io.tunneld.client;

import static io.tunneld.testsupport.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLSocket;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.quarkus.test.junit.QuarkusTest;
import io.tunneld.client.cli.CommandLineParser;
import io.tunneld.client.config.ClientConfig;
import io.tunneld.client.config.ConfigFile;
import io.tunneld.client.log.ClientLog;
import io.tunneld.client.observe.ClientObserver;
import io.tunneld.client.observe.ConnectionObserver;
import io.tunneld.client.observe.OpenTunnel;
import io.tunneld.client.session.ClientSession;
import io.tunneld.session.Control;
import io.tunneld.session.ControlRegistry;
import io.tunneld.testclient.TlsDialer;
import io.tunneld.testsupport.EchoServer;
import io.tunneld.testsupport.FullAcceptQueue;
import io.tunneld.testsupport.Metrics;
import io.tunneld.testsupport.PemFiles;
import io.tunneld.testsupport.PublicClient;
import io.tunneld.testsupport.TunneldTest;
import io.vertx.core.buffer.Buffer;

/**
 * The client in-process against the real server under test: real TLS to the tunnel port, a
 * real local web service and echo service, real visitors on the public ports. Each client is
 * configured as a user would: command-line arguments and a YAML file, through the client's own
 * parsers.
 */
@QuarkusTest
class ClientTest extends TunneldTest {

    @Inject
    ControlRegistry registry;

    private final List<Running> clients = new ArrayList<>();
    private LocalHttpService web;

    @BeforeEach
    void startWeb() throws Exception {
        web = new LocalHttpService();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (Running r : clients) {
            r.session.close();
        }
        web.close();
    }

    /** What a client told its observer and wrote to its log. */
    static final class Running implements ClientObserver {
        ClientSession session;
        final BlockingQueue<OpenTunnel> opened = new LinkedBlockingQueue<>();
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        final List<Tap> taps = new CopyOnWriteArrayList<>();

        @Override
        public void tunnelOpened(OpenTunnel tunnel) {
            opened.add(tunnel);
        }

        @Override
        public ConnectionObserver connectionOpened(OpenTunnel tunnel, String clientAddr) {
            Tap t = new Tap();
            taps.add(t);
            return t;
        }

        OpenTunnel next() throws InterruptedException {
            OpenTunnel t = opened.poll(10, TimeUnit.SECONDS);
            assertNotNull(t, "no tunnel opened within 10 s; log:\n" + log());
            return t;
        }

        Map<String, OpenTunnel> next(int n) throws InterruptedException {
            Map<String, OpenTunnel> byKey = new HashMap<>();
            for (int i = 0; i < n; i++) {
                OpenTunnel t = next();
                byKey.put(t.name() + "/" + t.protocol(), t);
            }
            return byKey;
        }

        String stopped() throws Exception {
            return session.stopped().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }

        String log() {
            return log.toString(StandardCharsets.UTF_8);
        }
    }

    /** A view that taps HTTP bytes both ways, as the inspection page will. */
    static final class Tap implements ConnectionObserver {
        final Buffer fromPublic = Buffer.buffer();
        final Buffer fromLocal = Buffer.buffer();
        volatile long closedIn = -1;
        volatile long closedOut = -1;

        @Override
        public boolean tapsHttp() {
            return true;
        }

        @Override
        public void fromPublic(ByteBuf bytes) {
            fromPublic.appendBuffer(Buffer.buffer(bytes.copy()));
        }

        @Override
        public void fromLocal(ByteBuf bytes) {
            fromLocal.appendBuffer(Buffer.buffer(bytes.copy()));
        }

        @Override
        public void closed(long bytesFromPublic, long bytesFromLocal) {
            closedIn = bytesFromPublic;
            closedOut = bytesFromLocal;
        }
    }

    private String server() {
        return "server_addr: 127.0.0.1:" + ports.tunnel() + "\nauth_token: tunneld-test-token-1\ninspect_addr: disabled\n";
    }

    /** A client started from this configuration file and the arguments after {@code client}. */
    private Running start(String yaml, Map<String, String> env, String... args) throws Exception {
        CommandLineParser.Parsed parsed = CommandLineParser.parse(args, env);
        ClientConfig config = ConfigFile.parse(yaml, "test.yml", env).with(parsed.overrides());
        Running r = new Running();
        r.session = ClientSession.start(config, ClientLog.to(r.log, ClientLog.Level.INFO), r);
        clients.add(r);
        return r;
    }

    private Running start(String yaml, String... args) throws Exception {
        return start(yaml, Map.of(), args);
    }

    /** A client with one http tunnel, {@code subdomain}, to the local port, once it is open. */
    private Running startHttp(String subdomain, int localPort) throws Exception {
        Running c = start(server(), "-tls-skip-verify", "-proto=http", "-subdomain=" + subdomain, "" + localPort);
        c.next();
        return c;
    }

    private static String post(int port, String host, String path, String body, String... headers) throws Exception {
        StringBuilder req = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\n");
        for (String h : headers) {
            req.append(h).append("\r\n");
        }
        req.append("Content-Length: ").append(body.length()).append("\r\nConnection: close\r\n\r\n").append(body);
        return PublicClient.exchange(PublicClient.plain(port), req.toString());
    }

    /** The server's session holding the tunnel {@code url}. */
    private Control controlOf(String url) {
        return registry.controls().stream().filter(ctl -> ctl.tunnels().stream().anyMatch(t -> t.url().equals(url)))
                .findFirst().orElseThrow();
    }

    private static void assertUnauthorized(String answer) {
        assertTrue(answer.matches("(?s)HTTP/1\\.[01] 401 .*"), answer);
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void httpTunnelCarriesRequestsAndLogsTheLineToolsReadAndTheObserverSeesTheBytes() throws Exception {
        Running c = start(server(), "-tls-skip-verify", "-subdomain=cl-http", "-proto=http", "" + web.port());
        OpenTunnel t = c.next();
        assertEquals("http", t.protocol());
        assertTrue(t.publicUrl().startsWith("http://cl-http.localhost"), t.publicUrl());
        assertEquals("127.0.0.1:" + web.port(), t.localAddress());
        // The log is written by a thread of its own: the line may follow the observer's call.
        eventually(() -> c.log().contains("[INFO] [client] Tunnel established at " + t.publicUrl() + "\n"));

        String answer = post(ports.http(), "cl-http.localhost", "/tap", "hello");
        assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
        assertTrue(answer.endsWith("local POST /tap 5"), answer);
        eventually(() -> c.taps.size() == 1 && c.taps.get(0).closedIn >= 0);
        Tap tap = c.taps.get(0);
        assertTrue(tap.fromPublic.toString().startsWith("POST /tap HTTP/1.1\r\n"), tap.fromPublic.toString());
        assertTrue(tap.fromPublic.toString().endsWith("\r\n\r\nhello"), tap.fromPublic.toString());
        assertTrue(tap.fromLocal.toString().endsWith("local POST /tap 5"), tap.fromLocal.toString());
        assertEquals(tap.fromPublic.length(), tap.closedIn);
        assertEquals(tap.fromLocal.length(), tap.closedOut);
    }

    @Test
    void defaultProtocolIsHttpAndHttps() throws Exception {
        Running c = start(server(), "-tls-skip-verify", "-subdomain=cl-both", "" + web.port());
        Map<String, OpenTunnel> tunnels = c.next(2);
        assertTrue(tunnels.get("default/http").publicUrl().startsWith("http://cl-both.localhost"));
        assertTrue(tunnels.get("default/https").publicUrl().startsWith("https://cl-both.localhost"));
        SSLSocket s = PublicClient.tls(ports.https(), "cl-both.localhost");
        String answer = PublicClient.exchange(s, "GET /secure HTTP/1.1\r\nHost: cl-both.localhost\r\nConnection: close\r\n\r\n");
        assertTrue(answer.endsWith("local GET /secure 0"), answer);
        assertTrue(PublicClient.get(ports.http(), "cl-both.localhost", "/plain").endsWith("local GET /plain 0"));
    }

    @Test
    void tcpTunnelsWithAndWithoutRemotePortFromTheConfigFile() throws Exception {
        int fixed = 31000 + (int) (Math.random() * 900);
        try (EchoServer echo = new EchoServer()) {
            Running c = start(server() + "tunnels:\n"
                    + "  anyport:\n    proto:\n      tcp: " + echo.port() + "\n"
                    + "  fixedport:\n    remote_port: " + fixed + "\n    proto:\n      tcp: 127.0.0.1:" + echo.port() + "\n",
                    "-tls-skip-verify", "start-all");
            Map<String, OpenTunnel> tunnels = c.next(2);
            String any = tunnels.get("anyport/tcp").publicUrl();
            assertTrue(any.matches("tcp://localhost:\\d+"), any);
            assertEquals("tcp://localhost:" + fixed, tunnels.get("fixedport/tcp").publicUrl());
            for (String url : List.of(any, "tcp://localhost:" + fixed)) {
                int port = Integer.parseInt(url.substring(url.lastIndexOf(':') + 1));
                assertEquals("ping " + url, PublicClient.echo(port, "ping " + url));
            }
        }
    }

    @Test
    void startRunsTheNamedTunnelsOfTheFileInOneSessionWithTheirAuth() throws Exception {
        Running c = start(server() + "tunnels:\n"
                + "  clwww:\n    proto:\n      http: " + web.port() + "\n"
                + "  clsecret:\n    auth: \"user:pw\"\n    proto:\n      http: " + web.port() + "\n"
                + "  clnot:\n    proto:\n      http: " + web.port() + "\n",
                "-tls-skip-verify", "start", "clwww", "clsecret");
        Map<String, OpenTunnel> tunnels = c.next(2);
        assertEquals(2, tunnels.size());
        assertTrue(tunnels.containsKey("clwww/http") && tunnels.containsKey("clsecret/http"), tunnels.toString());
        Control control = controlOf(tunnels.get("clwww/http").publicUrl());
        assertEquals(List.of(tunnels.get("clwww/http").publicUrl(), tunnels.get("clsecret/http").publicUrl()).stream()
                .sorted().toList(), control.tunnels().stream().map(t -> t.url()).sorted().toList(),
                "both tunnels in one session, and not the third");
        assertTrue(PublicClient.get(ports.http(), "clwww.localhost", "/").endsWith("local GET / 0"));
        assertUnauthorized(PublicClient.get(ports.http(), "clsecret.localhost", "/"));
        String basic = "Authorization: Basic " + Base64.getEncoder().encodeToString("user:pw".getBytes());
        assertTrue(PublicClient.get(ports.http(), "clsecret.localhost", "/", basic).endsWith("local GET / 0"));
    }

    @Test
    void httpauthFlagProtectsTheTunnel() throws Exception {
        Running c = start(server(), "-tls-skip-verify", "-proto=http", "-subdomain=cl-auth", "-httpauth=ann:s3cret",
                "" + web.port());
        c.next();
        assertUnauthorized(PublicClient.get(ports.http(), "cl-auth.localhost", "/"));
        String basic = "Authorization: Basic " + Base64.getEncoder().encodeToString("ann:s3cret".getBytes());
        assertTrue(PublicClient.get(ports.http(), "cl-auth.localhost", "/", basic).endsWith("local GET / 0"));
        assertTrue(!c.log().contains("s3cret"), "no password in the log");
    }

    @Test
    void aNameTakenStopsTheSecondClientWithTheServersReason() throws Exception {
        Running first = start(server(), "-tls-skip-verify", "-proto=http", "-subdomain=cl-taken", "" + web.port());
        first.next();
        Running second = start(server(), "-tls-skip-verify", "-proto=http", "-subdomain=cl-taken", "" + web.port());
        String reason = second.stopped();
        assertTrue(reason.startsWith("Server failed to allocate tunnel: "), reason);
        assertTrue(reason.contains("cl-taken"), reason);
        assertTrue(PublicClient.get(ports.http(), "cl-taken.localhost", "/").endsWith("local GET / 0"),
                "the first client keeps its tunnel");
    }

    @Test
    void aLocalServiceThatRefusesGivesHttpVisitorsA502AndTcpVisitorsAClose() throws Exception {
        int nothing = closedPort();
        Running c = start(server() + "tunnels:\n"
                + "  cldown:\n    proto:\n      http: " + nothing + "\n"
                + "  cldowntcp:\n    proto:\n      tcp: " + nothing + "\n",
                "-tls-skip-verify", "start-all");
        Map<String, OpenTunnel> tunnels = c.next(2);
        String answer = PublicClient.get(ports.http(), "cldown.localhost", "/");
        assertTrue(answer.startsWith("HTTP/1.0 502 Bad Gateway\r\n"), answer);
        assertTrue(answer.contains("Tunnel " + tunnels.get("cldown/http").publicUrl() + " unavailable"), answer);
        assertTrue(answer.contains("127.0.0.1:" + nothing), answer);
        String tcp = tunnels.get("cldowntcp/tcp").publicUrl();
        try (Socket s = PublicClient.plain(Integer.parseInt(tcp.substring(tcp.lastIndexOf(':') + 1)))) {
            s.getOutputStream().write("hello".getBytes());
            assertEquals(-1, s.getInputStream().read(), "closed without a byte");
        }
        eventually(() -> c.log().contains("Failed to open private leg 127.0.0.1:" + nothing + ": Connection refused"));
    }

    @Test
    void bytesThatArriveWhileTheLocalConnectionOpensReachTheServiceAfterThoseBefore() throws Exception {
        try (FullAcceptQueue slow = new FullAcceptQueue()) {
            Running c = startHttp("slowopen", slow.port());
            try (Socket visitor = PublicClient.plain(ports.http())) {
                visitor.setSoTimeout(10_000);
                OutputStream out = visitor.getOutputStream();
                String head = "POST /early HTTP/1.1\r\nHost: slowopen.localhost\r\nContent-Length: 10\r\n"
                        + "Connection: close\r\n\r\n";
                out.write((head + "01234").getBytes(StandardCharsets.US_ASCII));
                // Its StartProxy has come and the local connection is opening, its SYN dropped. The
                // SYN is sent again about a second after the first, whenever the queue has room.
                eventually(() -> c.taps.size() == 1);
                slow.awaitConnecting(5_000);
                out.write("56789".getBytes(StandardCharsets.US_ASCII));
                slow.open();
                try (Socket local = slow.accept(10_000)) {
                    local.setSoTimeout(10_000);
                    String request = head + "0123456789";
                    assertEquals(request, new String(local.getInputStream().readNBytes(request.length()),
                            StandardCharsets.US_ASCII));
                    local.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                            .getBytes(StandardCharsets.US_ASCII));
                }
                String answer = new String(visitor.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                assertTrue(answer.startsWith("HTTP/1.1 200 OK\r\n") && answer.endsWith("\r\n\r\nok"), answer);
            }
        }
    }

    @Test
    void aVisitorWhoLeavesWhileTheLocalConnectionOpensHasItClosedUnused() throws Exception {
        try (FullAcceptQueue slow = new FullAcceptQueue()) {
            Running c = startHttp("slowleft", slow.port());
            try (Socket visitor = PublicClient.plain(ports.http())) {
                visitor.getOutputStream().write("GET /left HTTP/1.1\r\nHost: slowleft.localhost\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                eventually(() -> c.taps.size() == 1);
                slow.awaitConnecting(5_000);
            }
            // The server closes the proxy connection; the client sees it while its connect waits
            // for the SYN sent again about a second after the first.
            slow.open();
            try (Socket local = slow.accept(10_000)) {
                local.setSoTimeout(5_000);
                assertEquals(-1, local.getInputStream().read(), "closed by the client, the request not passed on");
            }
            eventually(() -> c.taps.get(0).closedIn == 0 && c.taps.get(0).closedOut == 0);
        }
    }

    @Test
    void afterTheServerCutsTheControlConnectionTheClientComesBackWithTheSameUrl() throws Exception {
        Running c = start(server(), "-tls-skip-verify", "-proto=http", "" + web.port());
        String url = c.next().publicUrl();
        Control control = controlOf(url);
        control.shutdown("cut by the test");
        OpenTunnel again = c.next();
        assertEquals(url, again.publicUrl(), "a random URL, given back to the same ClientId");
        eventually(() -> c.log().matches("(?s).*\\[WARN\\] \\[client\\] Server 127\\.0\\.0\\.1:\\d+ closed the control"
                + " connection\\. Reconnecting in \\d\\.\\d s as client [0-9a-f]{8}\\.\\.\\., to get the same URLs back\n.*"));
        String host = url.substring("http://".length(), url.lastIndexOf(':') < 6 ? url.length() : url.lastIndexOf(':'));
        assertTrue(PublicClient.get(ports.http(), host, "/back").endsWith("local GET /back 0"));
    }

    @Test
    void theServerCertificateIsVerifiedByDefault() throws Exception {
        Running c = start("server_addr: localhost:" + ports.tunnel() + "\nauth_token: tunneld-test-token-2\n", "-proto=http", "" + web.port());
        String reason = c.stopped();
        assertTrue(reason.startsWith("The certificate of server localhost:" + ports.tunnel() + " is not trusted ("), reason);
        assertTrue(reason.contains("-tls-ca-file") && reason.contains("-tls-skip-verify"), reason);
        assertTrue(c.opened.isEmpty());
    }

    @Test
    void aCaFileNamedOnTheCommandLineIsTrusted() throws Exception {
        Path ca = serverCertificateAsCaFile();
        try {
            Running c = start("server_addr: localhost:" + ports.tunnel() + "\nauth_token: tunneld-test-token-2\n", "-tls-ca-file=" + ca, "-proto=http",
                    "-subdomain=cl-ca", "" + web.port());
            c.next();
            assertTrue(PublicClient.get(ports.http(), "cl-ca.localhost", "/").endsWith("local GET / 0"));
        } finally {
            Files.delete(ca);
        }
    }

    @Test
    void proxyConnectionsResumeTheSessionWithTheCertificateVerified() throws Exception {
        Path ca = serverCertificateAsCaFile();
        try {
            Running c = start("server_addr: localhost:" + ports.tunnel() + "\nauth_token: tunneld-test-token-2\n",
                    "-tls-ca-file=" + ca, "-proto=http", "-subdomain=cl-resume", "" + web.port());
            c.next();
            double before = Metrics.valueOrZero("tunneld_tls_sessions_resumed_total{listener=\"tunnel\"}");
            for (int i = 0; i < 10; i++) {
                assertTrue(PublicClient.get(ports.http(), "cl-resume.localhost", "/").endsWith("local GET / 0"));
            }
            // Each request takes a proxy connection; the first few may be dialled before a ticket came.
            double resumed = Metrics.value("tunneld_tls_sessions_resumed_total{listener=\"tunnel\"}") - before;
            assertTrue(resumed >= 5, "proxy connections resumed: " + resumed);
        } finally {
            Files.delete(ca);
        }
    }

    @Test
    void theEnvironmentVariableTurnsVerificationOff() throws Exception {
        Running c = start("server_addr: localhost:" + ports.tunnel() + "\nauth_token: tunneld-test-token-2\n",
                Map.of("TUNNELD_CLIENT_TLS_SKIP_VERIFY", "true"), "-proto=http", "-subdomain=cl-env", "" + web.port());
        c.next();
        assertTrue(PublicClient.get(ports.http(), "cl-env.localhost", "/").endsWith("local GET / 0"));
    }

    @Test
    void http_proxyTunnelsControlAndProxyConnectionsThroughConnect() throws Exception {
        try (ConnectProxy proxy = new ConnectProxy()) {
            Running c = start(server() + "http_proxy: http://pu:pp@127.0.0.1:" + proxy.port() + "\n",
                    "-tls-skip-verify", "-proto=http", "-subdomain=cl-proxy", "" + web.port());
            c.next();
            assertTrue(PublicClient.get(ports.http(), "cl-proxy.localhost", "/").endsWith("local GET / 0"));
            assertTrue(proxy.heads.size() >= 2, "control and proxy connections: " + proxy.heads);
            for (String head : proxy.heads) {
                assertTrue(head.startsWith("CONNECT 127.0.0.1:" + ports.tunnel() + " HTTP/1.1\r\n"), head);
                assertTrue(head.contains("\r\nproxy-authorization: Basic cHU6cHA=")
                        || head.contains("\r\nProxy-Authorization: Basic cHU6cHA="), head);
            }
        }
    }

    @Test
    void theCommandSavesAnAcceptedTokenInItsConfigFileAs17Does() throws Exception {
        Running holder = start(server(), "-tls-skip-verify", "-proto=http", "-subdomain=cl-save", "" + web.port());
        holder.next();
        Path file = Files.createTempFile("ngrok", ".yml");
        Files.writeString(file, "# kept\nserver_addr: 127.0.0.1:" + ports.tunnel() + "\ninspect_addr: disabled\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            // The name is taken: the command authenticates, then stops.
            int status = ClientCommand.run(new String[] { "-config=" + file, "-authtoken=tunneld-test-token-2", "-tls-skip-verify",
                    "-proto=http", "-subdomain=cl-save", "" + web.port() }, Map.of(),
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()));
            assertEquals(1, status);
            assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("Server failed to allocate tunnel: "), out.toString());
            eventually(() -> read(file).endsWith("\nauth_token: tunneld-test-token-2\n"));
            assertTrue(read(file).startsWith("# kept\nserver_addr: "), read(file));
        } finally {
            Files.delete(file);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The test server's (self-signed) certificate, written as a PEM CA file. */
    private Path serverCertificateAsCaFile() throws Exception {
        Path ca = Files.createTempFile("server-ca", ".pem");
        try (SSLSocket s = TlsDialer.trustAll().dial("127.0.0.1", ports.tunnel())) {
            byte[] der = s.getSession().getPeerCertificates()[0].getEncoded();
            Files.writeString(ca, PemFiles.pem("CERTIFICATE", der));
        }
        return ca;
    }

    @Test
    void listPrintsTheConfiguredTunnelsAndExits() throws Exception {
        Path file = Files.createTempFile("ngrok", ".yml");
        Files.writeString(file, server() + "tunnels:\n  web:\n    proto:\n      http: 8080\n"
                + "  ssh:\n    remote_port: 31022\n    proto:\n      tcp: 22\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            int status = ClientCommand.run(new String[] { "-config=" + file, "list" }, Map.of(),
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()));
            assertEquals(0, status);
        } finally {
            Files.delete(file);
        }
        assertEquals(List.of("web", "ssh"), out.toString(StandardCharsets.UTF_8).lines().toList());
    }

    @Test
    void aLogFileGetsTheLogLinesAndTheTerminalOnlyTheVerdict() throws Exception {
        Path file = Files.createTempFile("ngrok", ".yml");
        Path logFile = Files.createTempFile("ngrok", ".log");
        Files.writeString(file, server());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            int status = ClientCommand.run(new String[] { "-config=" + file, "-log=" + logFile, "-log-level=INFO",
                    "-authtoken=not-a-token", "-tls-skip-verify", "" + web.port() }, Map.of(),
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()));
            assertEquals(1, status);
            String logged = Files.readString(logFile);
            assertTrue(logged.contains("[EROR] [client] Failed to authenticate to server: "), logged);
            assertTrue(!logged.contains("[DEBG]"), "INFO and above only: " + logged);
            assertTrue(!logged.contains("not-a-token"), "the token is not logged");
        } finally {
            Files.delete(file);
            Files.delete(logFile);
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("Failed to authenticate to server: "), printed);
        assertTrue(!printed.contains("[EROR]"), "log lines go to the file: " + printed);
    }

    @Test
    void theCommandStopsWithOneLineAndStatusOneWhenTheTokenIsRefused() throws Exception {
        Path file = Files.createTempFile("ngrok", ".yml");
        Files.writeString(file, server());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            int status = ClientCommand.run(new String[] { "-config=" + file, "-log=stdout", "-log-level=INFO",
                    "-authtoken=not-a-token", "-tls-skip-verify", "" + web.port() }, Map.of(),
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(1, status);
        } finally {
            Files.delete(file);
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        assertTrue(printed.endsWith("\nFailed to authenticate to server: invalid auth token\n")
                || printed.matches("(?s).*\nFailed to authenticate to server: [^\n]+\n"), printed);
        assertTrue(printed.contains("[EROR] [client] Failed to authenticate to server: "), printed);
        assertTrue(!printed.contains("not-a-token"), "the token is not printed");
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("WARNING: the server's TLS certificate is not verified"));
    }
}
