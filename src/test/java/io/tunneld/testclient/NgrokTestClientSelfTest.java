package io.tunneld.testclient;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

import io.tunneld.tls.SelfSignedCertificate;

/**
 * Checks the framing helpers against frames captured from the Go client, and what the client
 * makes of a server's close; needs no tunneld.
 */
class NgrokTestClientSelfTest {

    private static final String AUTH_JSON = "{\"Type\":\"Auth\",\"Payload\":{\"Version\":\"2\",\"MmVersion\":\"1.7\","
            + "\"User\":\"\",\"Password\":\"\",\"OS\":\"linux\",\"Arch\":\"amd64\",\"ClientId\":\"\"}}";
    private static final String REQ_TUNNEL_JSON = "{\"Type\":\"ReqTunnel\",\"Payload\":{\"ReqId\":\"e4c27636b98d1e72\","
            + "\"Protocol\":\"http+https\",\"Hostname\":\"\",\"Subdomain\":\"wire\",\"HttpAuth\":\"user:pass\",\"RemotePort\":0}}";
    private static final String NEW_TUNNEL_JSON = "{\"Type\":\"NewTunnel\",\"Payload\":{\"ReqId\":\"e4c27636b98d1e72\","
            + "\"Url\":\"http://wire.ngrok.local:18000\",\"Protocol\":\"http\",\"Error\":\"\"}}";

    @Test
    void authEncodesLikeTheGoClient() {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("Version", "2");
        payload.put("MmVersion", "1.7");
        payload.put("User", "");
        payload.put("Password", "");
        payload.put("OS", "linux");
        payload.put("Arch", "amd64");
        payload.put("ClientId", "");
        byte[] frame = WireFrames.encode("Auth", payload);
        assertEquals("7d00000000000000", HexFormat.of().formatHex(frame, 0, 8));
        assertEquals(125, frame.length - 8);
        assertArrayEquals(WireFrames.encodeRaw(AUTH_JSON), frame);
    }

    @Test
    void reqTunnelAndEmptyPayloadEncodeLikeTheGoClient() {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("ReqId", "e4c27636b98d1e72");
        payload.put("Protocol", "http+https");
        payload.put("Hostname", "");
        payload.put("Subdomain", "wire");
        payload.put("HttpAuth", "user:pass");
        payload.put("RemotePort", 0);
        assertArrayEquals(WireFrames.encodeRaw(REQ_TUNNEL_JSON), WireFrames.encode("ReqTunnel", payload));
        byte[] ping = WireFrames.encode("Ping", null);
        assertEquals("1c00000000000000", HexFormat.of().formatHex(ping, 0, 8));
        assertEquals("{\"Type\":\"Ping\",\"Payload\":{}}", new String(ping, 8, ping.length - 8, StandardCharsets.UTF_8));
    }

    @Test
    void escapesLikeGoEncodingJson() {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("HttpAuth", "a<b>&c\u0001\n");
        byte[] frame = WireFrames.encode("ReqTunnel", payload);
        assertEquals("{\"Type\":\"ReqTunnel\",\"Payload\":{\"HttpAuth\":\"a\\u003cb\\u003e\\u0026c\\u0001\\n\"}}",
                new String(frame, 8, frame.length - 8, StandardCharsets.UTF_8));
    }

    @Test
    void readsFramesAndMissingFieldsAsEmpty() throws IOException {
        Frame frame = WireFrames.readGoStyle(new ByteArrayInputStream(WireFrames.encodeRaw(NEW_TUNNEL_JSON)));
        assertEquals("NewTunnel", frame.type());
        assertEquals("http://wire.ngrok.local:18000", frame.str("Url"));
        assertEquals("", frame.str("Nope"));
        Frame python = WireFrames.read(new ByteArrayInputStream(
                WireFrames.encodeRaw("{\"Type\": \"AuthResp\", \"Payload\": {\"ClientId\": \"ab\"}}")));
        assertEquals("ab", python.str("ClientId"));
        assertEquals("", python.str("Error"));
    }

    @Test
    void lenientReadAssemblesSplitFramesButGoStyleReadRefusesThem() throws IOException {
        byte[] twoFrames = concat(WireFrames.encodeRaw(NEW_TUNNEL_JSON), WireFrames.encode("Pong", null));
        InputStream trickle = new TrickleInputStream(twoFrames, 3);
        assertEquals("NewTunnel", WireFrames.read(trickle).type());
        assertEquals("Pong", WireFrames.read(trickle).type());
        assertThrows(EOFException.class, () -> WireFrames.read(trickle));

        IOException split = assertThrows(IOException.class,
                () -> WireFrames.readGoStyle(new TrickleInputStream(WireFrames.encodeRaw(NEW_TUNNEL_JSON), 20)));
        assertEquals("Expected to read 126 bytes, but only read 20", split.getMessage());
    }

    @Test
    void refusesTruncatedAbsurdAndPayloadlessFrames() {
        byte[] frame = WireFrames.encode("Pong", null);
        IOException truncated = assertThrows(IOException.class,
                () -> WireFrames.read(new ByteArrayInputStream(frame, 0, frame.length - 1)));
        assertFalse(truncated instanceof EOFException);
        assertThrows(IOException.class, () -> WireFrames.read(new ByteArrayInputStream(WireFrames.header(Long.MAX_VALUE))));
        assertThrows(IOException.class, () -> WireFrames.read(new ByteArrayInputStream(WireFrames.header(-1))));
        byte[] noPayload = WireFrames.encodeRaw("{\"Type\":\"Ping\"}");
        assertThrows(IOException.class, () -> WireFrames.readGoStyle(new ByteArrayInputStream(noPayload)));
        assertNull(assertDoesNotThrowRead(noPayload).payload());
    }

    @Test
    void goStyleWriteIsHeaderThenBody() throws IOException {
        List<Integer> writes = new ArrayList<>();
        OutputStream recorder = new ByteArrayOutputStream() {
            @Override
            public synchronized void write(byte[] b, int off, int len) {
                writes.add(len);
                super.write(b, off, len);
            }
        };
        WireFrames.writeGoStyle(recorder, WireFrames.encode("Ping", null));
        assertEquals(List.of(8, 28), writes);
        writes.clear();
        WireFrames.writeChunked(recorder, new byte[10], 4, Duration.ZERO);
        assertEquals(List.of(4, 4, 2), writes);
        assertTrue(WireFrames.MAX_BODY > 16 * 1024);
    }

    @Test
    void awaitClosedMeansTheServerClosedItNotThatThisClientCouldNotRead() throws Exception {
        byte[] malformed = WireFrames.encodeRaw("{not json");
        try (FakeTlsServer server = new FakeTlsServer(socket -> {
            socket.getOutputStream().write(malformed);
            socket.getInputStream().transferTo(OutputStream.nullOutputStream()); // and keeps it open
        }); NgrokTestClient c = NgrokTestClient.connect("127.0.0.1", server.port())) {
            AssertionError error = assertThrows(AssertionError.class, () -> c.awaitClosed(Duration.ofSeconds(5)));
            assertInstanceOf(MalformedFrameException.class, error.getCause());
        }
        try (FakeTlsServer server = new FakeTlsServer(socket -> socket.close());
                NgrokTestClient c = NgrokTestClient.connect("127.0.0.1", server.port())) {
            assertTrue(c.awaitClosed(Duration.ofSeconds(5)), "closed by the server");
        }
        try (FakeTlsServer server = new FakeTlsServer(socket -> socket.getInputStream().transferTo(OutputStream.nullOutputStream()));
                NgrokTestClient c = NgrokTestClient.connect("127.0.0.1", server.port())) {
            c.close();
            assertFalse(c.awaitClosed(Duration.ofSeconds(5)), "closed by this client");
        }
    }

    /** A TLS server on loopback that completes each handshake, handles the connection as told, and closes it. */
    private static final class FakeTlsServer implements AutoCloseable {

        /** What the server does with one connection. */
        interface Behaviour {
            void serve(Socket socket) throws IOException;
        }

        private final ServerSocket server;

        FakeTlsServer(Behaviour behaviour) throws Exception {
            SelfSignedCertificate generated = SelfSignedCertificate.create(List.of("localhost"), Duration.ofDays(1));
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("server", generated.privateKey(), new char[0], new Certificate[] { generated.certificate() });
            KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            managers.init(keys, new char[0]);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(managers.getKeyManagers(), null, null);
            server = context.getServerSocketFactory().createServerSocket(0, 5, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try (SSLSocket socket = (SSLSocket) server.accept()) {
                        socket.startHandshake();
                        behaviour.serve(socket);
                    } catch (IOException e) {
                        // the client went away, or the server was closed
                    }
                }
            }, "fake-tls-server");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    private static Frame assertDoesNotThrowRead(byte[] frame) {
        try {
            return WireFrames.read(new ByteArrayInputStream(frame));
        } catch (IOException e) {
            throw new AssertionError("lenient read refused " + new String(frame, StandardCharsets.UTF_8), e);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    /** Returns at most {@code step} bytes per read, like a peer whose frames arrive in pieces. */
    private static final class TrickleInputStream extends ByteArrayInputStream {
        private final int step;

        TrickleInputStream(byte[] bytes, int step) {
            super(bytes);
            this.step = step;
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) {
            return super.read(b, off, Math.min(len, step));
        }
    }
}
