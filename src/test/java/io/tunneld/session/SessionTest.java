package io.tunneld.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.net.ssl.SSLSocket;


import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.tunneld.testclient.Frame;
import io.tunneld.testclient.NgrokTestClient;
import io.tunneld.testclient.WireFrames;
import io.tunneld.testsupport.Metrics;
import io.tunneld.testsupport.TunneldTest;

/** Control sessions: authentication, first frame, bad input, heartbeat, resuming an id. */
@QuarkusTest
class SessionTest extends TunneldTest {

    @Test
    void authIsAnsweredWithAuthRespAndAnImmediateReqProxy() throws Exception {
        try (NgrokTestClient c = connect()) {
            Frame resp = c.auth("tunneld-test-token-1", "");
            assertEquals("AuthResp", resp.type());
            assertEquals("", resp.str("Error"));
            assertEquals("2", resp.str("Version"));
            assertEquals("1.7", resp.str("MmVersion"));
            assertTrue(resp.str("ClientId").matches("[0-9a-f]{32}"), resp.str("ClientId"));
            assertNotNull(c.awaitFrame("ReqProxy", WAIT));
        }
    }

    @Test
    void wrongTokenIsRefusedAndClosed() throws Exception {
        try (NgrokTestClient c = connect()) {
            Frame resp = c.auth("not-a-token", "");
            assertTrue(resp.str("Error").contains("invalid auth token"), resp.str("Error"));
            assertEquals("", resp.str("ClientId"));
            assertTrue(c.awaitClosed(WAIT));
        }
    }

    @Test
    void framesPipelinedAfterARefusedAuthAreNotProtocolViolations() throws Exception {
        String unexpected = "tunneld_frames_rejected_total{reason=\"unexpected\"}";
        double rejectedBefore = Metrics.valueOrZero(unexpected);
        try (SSLSocket s = NgrokTestClient.openTls("127.0.0.1", ports.tunnel())) {
            byte[] auth = WireFrames.encode("Auth", new LinkedHashMap<>(Map.of("Version", "2", "User", "bad-token")));
            byte[] req = WireFrames.encode("ReqTunnel", new LinkedHashMap<>(Map.of("Protocol", "http")));
            byte[] both = new byte[auth.length + req.length];
            System.arraycopy(auth, 0, both, 0, auth.length);
            System.arraycopy(req, 0, both, auth.length, req.length);
            s.getOutputStream().write(both);
            Frame resp = WireFrames.read(s.getInputStream());
            assertTrue(resp.str("Error").contains("invalid auth token"), resp.str("Error"));
            assertClosed(s);
        }
        assertEquals(rejectedBefore, Metrics.valueOrZero(unexpected),
                "the refusal closes the connection; the client's next frame broke no rule");
    }

    @Test
    void wrongVersionIsRefusedAsOneXDoes() throws Exception {
        try (SSLSocket s = NgrokTestClient.openTls("127.0.0.1", ports.tunnel())) {
            send(s, "Auth", Map.of("Version", "1", "MmVersion", "1.7", "User", "tunneld-test-token-1", "ClientId", ""));
            Frame resp = WireFrames.read(s.getInputStream());
            assertEquals("AuthResp", resp.type());
            assertTrue(resp.str("Error").startsWith("Incompatible versions. Server 1.7, client 1."), resp.str("Error"));
            assertEquals("", resp.str("Version"));
            assertClosed(s);
        }
    }

    @Test
    void firstFrameOtherThanAuthOrRegProxyClosesTheConnection() throws Exception {
        for (String type : new String[] { "Ping", "ReqTunnel", "NewTunnel", "StartProxy" }) {
            try (SSLSocket s = NgrokTestClient.openTls("127.0.0.1", ports.tunnel())) {
                send(s, type, Map.of());
                assertClosed(s);
            }
        }
    }

    @Test
    void silentConnectionIsClosedAfterTheFirstFrameDeadline() throws Exception {
        try (SSLSocket s = NgrokTestClient.openTls("127.0.0.1", ports.tunnel())) {
            long start = System.nanoTime();
            assertClosed(s);
            long waited = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertTrue(waited >= 1500 && waited < 6000, "closed after " + waited + " ms (deadline 2 s)");
        }
    }

    @Test
    void absurdLengthClosesOnlyThatConnection() throws Exception {
        String invalid = "tunneld_frames_rejected_total{reason=\"invalid\"}";
        try (NgrokTestClient bystander = connect()) {
            bystander.auth("tunneld-test-token-1", "");
            for (long length : new long[] { 1L << 40, -5, 0, 4097 }) {
                double before = Metrics.valueOrZero(invalid);
                try (SSLSocket s = NgrokTestClient.openTls("127.0.0.1", ports.tunnel())) {
                    s.getOutputStream().write(WireFrames.header(length));
                    s.getOutputStream().flush();
                    assertClosed(s);
                }
                // Refused for its length, not closed later by the first-frame deadline.
                assertEquals(before + 1, Metrics.valueOrZero(invalid), "length " + length);
            }
            bystander.ping();
            assertNotNull(bystander.awaitFrame("Pong", WAIT), "other sessions are not disturbed");
        }
    }

    @Test
    void malformedOrUnknownFrameOnAControlClosesThatControlOnly() throws Exception {
        try (NgrokTestClient bystander = connect()) {
            bystander.auth("tunneld-test-token-1", "");
            for (String json : new String[] { "{\"Type\":\"Bogus\",\"Payload\":{}}", "{not json",
                    "{\"Type\":\"Auth\",\"Payload\":{}}" }) {
                try (NgrokTestClient bad = connect()) {
                    bad.auth("tunneld-test-token-1", "");
                    bad.sendRaw(WireFrames.encodeRaw(json));
                    assertTrue(bad.awaitClosed(WAIT), json);
                }
            }
            bystander.ping();
            assertNotNull(bystander.awaitFrame("Pong", WAIT));
        }
    }

    @Test
    void framesSplitAcrossManyWritesAreReassembled() throws Exception {
        try (NgrokTestClient c = connect()) {
            c.auth("tunneld-test-token-1", "");
            byte[] ping = WireFrames.encode("Ping", Map.of());
            c.sendRawChunked(ping, 3, Duration.ofMillis(20));
            assertNotNull(c.awaitFrame("Pong", WAIT));
        }
    }

    @Test
    void pingIsAnsweredWithPong() throws Exception {
        try (NgrokTestClient c = connect()) {
            c.auth("tunneld-test-token-1", "");
            for (int i = 0; i < 3; i++) {
                c.ping();
                assertNotNull(c.awaitFrame("Pong", WAIT));
            }
        }
    }

    @Test
    void sameTokenResumesItsIdAndReplacesTheOldSession() throws Exception {
        try (NgrokTestClient first = connect(); NgrokTestClient second = connect()) {
            String id = first.auth("tunneld-test-token-1", "").str("ClientId");
            Frame resp = second.auth("tunneld-test-token-1", id);
            assertEquals(id, resp.str("ClientId"));
            assertTrue(first.awaitClosed(WAIT), "the replaced session is shut down");
            second.ping();
            assertNotNull(second.awaitFrame("Pong", WAIT));
        }
    }

    @Test
    void anotherTokenCannotTakeOverAnId() throws Exception {
        try (NgrokTestClient owner = connect(); NgrokTestClient intruder = connect()) {
            String id = owner.auth("tunneld-test-token-1", "").str("ClientId");
            Frame resp = intruder.auth("tunneld-test-token-2", id);
            assertEquals("", resp.str("Error"));
            assertNotEquals(id, resp.str("ClientId"), "a fresh id, not the owner's");
            owner.ping();
            assertNotNull(owner.awaitFrame("Pong", WAIT), "the owner keeps its session");
        }
    }

    @Test
    void regProxyForAnUnknownIdIsClosed() throws Exception {
        try (SSLSocket s = NgrokTestClient.openTls("127.0.0.1", ports.tunnel())) {
            send(s, "RegProxy", Map.of("ClientId", "deadbeefdeadbeef"));
            assertClosed(s);
        }
    }

    @Test
    void goClientWritesHeaderAndBodyAsSeparateRecords() throws Exception {
        try (NgrokTestClient c = connect()) {
            c.setGoStyleWrites(true);
            assertEquals("", c.auth("tunneld-test-token-1", "").str("Error"));
            c.ping();
            assertNotNull(c.awaitFrame("Pong", WAIT));
        }
    }

    static void send(SSLSocket s, String type, Map<String, Object> payload) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(WireFrames.encode(type, new LinkedHashMap<>(payload)));
        out.flush();
    }

    /** The server closes: EOF (or a reset) within a few seconds. */
    static void assertClosed(SSLSocket s) throws IOException {
        s.setSoTimeout(6000);
        InputStream in = s.getInputStream();
        try {
            assertEquals(-1, in.read(), "expected the server to close");
        } catch (java.net.SocketException e) {
            // reset is a close too
        } catch (java.net.SocketTimeoutException e) {
            throw new AssertionError("server did not close the connection", e);
        }
    }
}
