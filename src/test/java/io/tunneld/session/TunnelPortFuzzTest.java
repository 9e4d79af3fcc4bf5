package io.tunneld.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.tunneld.testclient.Frame;
import io.tunneld.testclient.NgrokTestClient;
import io.tunneld.testclient.WireFrames;
import io.tunneld.testsupport.LogRecords;
import io.tunneld.testsupport.Metrics;
import io.tunneld.testsupport.TunneldTest;

/**
 * Hostile values in every field of ReqTunnel, Auth and RegProxy, from a fixed seed, each
 * checked against what a sensible server answers: a tunnel whose URL is well formed under
 * the domain exactly when the request is valid, else a short printable 1.x error, or for a
 * frame Go could not decode, a closed connection counted as an invalid frame. Never a hang.
 * An oracle says which of these each input deserves, from the rules in src/docs/operating.md (Behaviour).
 */
@QuarkusTest
class TunnelPortFuzzTest extends TunneldTest {

    private static final long SEED = 13;
    /** The test profile's settings (application.properties). */
    private static final int MAX_FRAME = 4096;
    private static final int PORT_MIN = 31000;
    private static final int PORT_MAX = 31999;
    private static final int TUNNELS_PER_CLIENT = 16;
    private static final String INVALID = "tunneld_frames_rejected_total{reason=\"invalid\"}";
    private static final Set<String> TOKENS = Set.of("tunneld-test-token-1", "tunneld-test-token-2");
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final Pattern RESUMABLE_ID = Pattern.compile("[A-Za-z0-9_-]{8,64}");
    /** Errors a valid request may still get: a name or port someone holds, or none free. */
    private static final Pattern CIRCUMSTANTIAL =
            Pattern.compile("The tunnel \\S+ is already registered\\.|Port \\d+ is not available on this server");

    /** What a sensible server does with an input. */
    private enum Expect { TUNNELS, ERROR, CLOSED }

    @Test
    void reqTunnelGetsAWellFormedTunnelWhenValidElseAnErrorOrAClose() throws Exception {
        FuzzValues fuzz = new FuzzValues(SEED);
        List<Map<String, Object>> requests = reqTunnels(fuzz);
        LogRecords records = new LogRecords();
        InvalidFrames invalid = new InvalidFrames();
        Session session = null;
        int[] outcomes = new int[Expect.values().length];
        try {
            for (Map<String, Object> request : requests) {
                if (session == null || session.closed || session.tunnels + 3 > TUNNELS_PER_CLIENT) {
                    if (session != null) {
                        session.client.close();
                    }
                    session = new Session(authed("tunneld-test-token-1"));
                }
                Expect expect = expectForReqTunnel(request);
                outcomes[expect.ordinal()]++;
                checkReqTunnel(session, request, expect, invalid);
            }
        } finally {
            if (session != null) {
                session.client.close();
            }
            records.close();
        }
        assertTrue(requests.size() >= 300, requests.size() + " requests");
        for (Expect e : Expect.values()) {
            assertTrue(outcomes[e.ordinal()] >= 30, "too few inputs deserve " + e + ": " + outcomes[e.ordinal()]);
        }
        assertLogLinesSane(records);
    }

    @Test
    void authGetsASessionWhenValidElseARefusalOrAClose() throws Exception {
        FuzzValues fuzz = new FuzzValues(SEED);
        List<Map<String, Object>> auths = new ArrayList<>();
        for (String version : fuzz.controlAtEveryPosition("2")) {
            auths.add(auth(version, "tunneld-test-token-1", "", "linux", "amd64"));
        }
        // A few wrong tokens only: a server may slow down an address that fails often.
        for (String token : new String[] { "tunneld-test-token-1\u0000", "\ttunneld-test-token-1", "TUNNELD-TEST-TOKEN-1", "tunneld-test-token-1 " }) {
            auths.add(auth("2", token, "", "linux", "amd64"));
        }
        for (int i = 0; i < 40; i++) {
            Map<String, Object> auth = auth(fuzz.chance(4) ? fuzz.mutate("2") : "2", "tunneld-test-token-" + (1 + i % 2),
                    fuzz.chance(2) ? fuzz.mutate("fuzzid" + i + "abcdef") : "",
                    fuzz.chance(2) ? fuzz.mutate("linux") : "linux", fuzz.chance(2) ? fuzz.mutate("amd64") : "amd64");
            if (fuzz.chance(6)) {
                auth.put(fuzz.pick(new String[] { "Version", "MmVersion", "User", "OS", "Arch", "ClientId" }),
                        fuzz.wrongType());
            }
            auths.add(auth);
        }
        LogRecords records = new LogRecords();
        InvalidFrames invalid = new InvalidFrames();
        try {
            for (Map<String, Object> auth : auths) {
                checkAuth(auth, invalid);
            }
        } finally {
            records.close();
        }
        assertLogLinesSane(records);
    }

    @Test
    void regProxyWithAnythingButALiveIdExactlyIsClosed() throws Exception {
        FuzzValues fuzz = new FuzzValues(SEED);
        try (NgrokTestClient owner = authed("tunneld-test-token-1")) {
            String id = owner.clientId();
            List<Object> ids = new ArrayList<>(fuzz.controlAtEveryPosition(id));
            ids.addAll(List.of(id.toUpperCase(Locale.ROOT), id.substring(1), id + id, "", "x".repeat(5_000)));
            for (int i = 0; i < 12; i++) {
                ids.add(fuzz.mutate(id));
                ids.add(fuzz.wrongType());
            }
            ids.removeIf(id::equals);
            InvalidFrames invalid = new InvalidFrames();
            for (Object clientId : ids) {
                Map<String, Object> payload = new LinkedHashMap<>();
                payload.put("ClientId", clientId);
                boolean decodable = clientId instanceof String && fitsInAFrame("RegProxy", payload);
                try (SSLSocket s = NgrokTestClient.openTls("127.0.0.1", ports.tunnel())) {
                    try {
                        SessionTest.send(s, "RegProxy", payload);
                    } catch (IOException closedWhileWriting) {
                        // the server refused the length before reading the body
                    }
                    SessionTest.assertClosed(s);
                }
                if (!decodable) {
                    invalid.assertOneMore(describe(payload));
                }
            }
            owner.ping();
            assertNotNull(owner.awaitFrame("Pong", WAIT), "the session itself is undisturbed");
        }
    }

    /** Control characters at every position of the names, then random combinations of every family. */
    private static List<Map<String, Object>> reqTunnels(FuzzValues fuzz) {
        List<Map<String, Object>> requests = new ArrayList<>();
        for (String base : new String[] { "http", "https", "tcp", "http+https" }) {
            for (String protocol : fuzz.controlAtEveryPosition(base)) {
                requests.add(reqTunnel(protocol, "", "", 0));
            }
        }
        for (String subdomain : fuzz.controlAtEveryPosition("sub")) {
            requests.add(reqTunnel("http", "", subdomain, 0));
        }
        for (String hostname : fuzz.controlAtEveryPosition("h.localhost")) {
            requests.add(reqTunnel("https", hostname, "", 0));
        }
        for (int i = 0; i < 260; i++) {
            String protocol = fuzz.protocolCombination();
            Map<String, Object> request = reqTunnel(fuzz.chance(3) ? fuzz.mutate(protocol) : protocol,
                    fuzz.chance(4) ? fuzz.mutate("h" + i + (fuzz.chance(4) ? ".example.com" : ".localhost")) : "",
                    fuzz.chance(2) ? fuzz.mutate("s" + i) : "",
                    fuzz.chance(3) ? fuzz.remotePort(PORT_MIN, PORT_MAX) : 0);
            if (fuzz.chance(5)) {
                request.put("HttpAuth", fuzz.mutate("user:secret"));
            }
            if (fuzz.chance(12)) {
                request.put(fuzz.pick(new String[] { "ReqId", "Protocol", "Hostname", "Subdomain", "HttpAuth" }),
                        fuzz.chance(3) ? null : fuzz.wrongType());
            }
            requests.add(request);
        }
        return requests;
    }

    private static Map<String, Object> reqTunnel(String protocol, String hostname, String subdomain, Object port) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("ReqId", "fuzz");
        request.put("Protocol", protocol);
        request.put("Hostname", hostname);
        request.put("Subdomain", subdomain);
        request.put("HttpAuth", "");
        request.put("RemotePort", port);
        return request;
    }

    private static Map<String, Object> auth(String version, String token, String clientId, String os, String arch) {
        Map<String, Object> auth = new LinkedHashMap<>();
        auth.put("Version", version);
        auth.put("MmVersion", "1.7");
        auth.put("User", token);
        auth.put("Password", "");
        auth.put("OS", os);
        auth.put("Arch", arch);
        auth.put("ClientId", clientId);
        return auth;
    }

    /** The oracle for ReqTunnel: what Go can decode, then the rules of src/docs/operating.md for names and ports. */
    private static Expect expectForReqTunnel(Map<String, Object> request) {
        if (!fitsInAFrame("ReqTunnel", request) || !allStringsOrNull(request, "RemotePort")) {
            return Expect.CLOSED;
        }
        long port = request.get("RemotePort") == null ? 0 : ((Number) request.get("RemotePort")).longValue();
        if (port < 0 || port > 0xFFFF) {
            return Expect.CLOSED;
        }
        List<String> protocols = protocols(text(request, "Protocol"));
        if (protocols.isEmpty()) {
            return Expect.ERROR;
        }
        String hostname = text(request, "Hostname");
        String subdomain = text(request, "Subdomain");
        boolean web = protocols.contains("http") || protocols.contains("https");
        if (web && !hostname.isEmpty()
                && !(isDnsName(hostname) && hostname.toLowerCase(Locale.ROOT).endsWith(".localhost"))) {
            return Expect.ERROR;
        }
        if (web && hostname.isEmpty() && !subdomain.isEmpty() && !LABEL.matcher(subdomain).matches()) {
            return Expect.ERROR;
        }
        if (protocols.contains("tcp") && port != 0 && (port < PORT_MIN || port > PORT_MAX)) {
            return Expect.ERROR;
        }
        return Expect.TUNNELS;
    }

    private void checkReqTunnel(Session session, Map<String, Object> request, Expect expect, InvalidFrames invalid)
            throws Exception {
        String what = describe(request);
        NgrokTestClient c = session.client;
        if (expect == Expect.CLOSED) {
            session.closed = true;
            assertClosedAsInvalid(c, "ReqTunnel", request, invalid, what);
            return;
        }
        c.send("ReqTunnel", request);
        Frame first = c.awaitFrame("NewTunnel", WAIT);
        assertNotNull(first, what + ": answered");
        // All NewTunnel frames of one request go out together, and frames are answered in order.
        c.ping();
        assertNotNull(c.awaitFrame("Pong", WAIT), what + ": the session goes on");
        List<Frame> answers = new ArrayList<>(List.of(first));
        for (Frame more = c.awaitFrame("NewTunnel", Duration.ZERO); more != null;
                more = c.awaitFrame("NewTunnel", Duration.ZERO)) {
            answers.add(more);
        }
        String error = first.str("Error");
        if (!error.isEmpty()) {
            assertEquals(1, answers.size(), what + ": one error, nothing else");
            assertSensibleText(error, what);
            assertEquals("", first.str("Url"), what);
            assertTrue(expect == Expect.ERROR || CIRCUMSTANTIAL.matcher(error).matches(), what + ": refused: " + error);
            return;
        }
        assertEquals(Expect.TUNNELS, expect, what + ": granted " + answers);
        assertEquals(protocols(text(request, "Protocol")), answers.stream().map(f -> f.str("Protocol")).toList(), what);
        String sharedHost = null;
        for (Frame answer : answers) {
            assertEquals(text(request, "ReqId"), answer.str("ReqId"), what);
            String host = checkUrl(answer.str("Protocol"), answer.str("Url"), request, what);
            if (host != null) {
                assertTrue(sharedHost == null || sharedHost.equals(host), what + ": one host for all: " + answers);
                sharedHost = host;
            }
        }
        session.tunnels += answers.size();
    }

    /** Checks a granted URL; returns the HTTP(S) host, or null for TCP. */
    private String checkUrl(String protocol, String url, Map<String, Object> request, String what) {
        assertSensibleText(url, what);
        if (protocol.equals("tcp")) {
            Matcher m = Pattern.compile("tcp://localhost:(\\d+)").matcher(url);
            assertTrue(m.matches(), what + ": " + url);
            int port = Integer.parseInt(m.group(1));
            assertTrue(port >= PORT_MIN && port <= PORT_MAX, what + ": " + url);
            Object asked = request.get("RemotePort");
            assertTrue(asked == null || ((Number) asked).intValue() == 0 || ((Number) asked).intValue() == port, what);
            return null;
        }
        int listener = protocol.equals("http") ? ports.http() : ports.https();
        Matcher m = Pattern.compile(Pattern.quote(protocol) + "://([a-z0-9.-]+):" + listener).matcher(url);
        assertTrue(m.matches(), what + ": " + url);
        String host = m.group(1);
        String hostname = text(request, "Hostname");
        if (!hostname.isEmpty()) {
            assertEquals(hostname.toLowerCase(Locale.ROOT), host, what);
            return host;
        }
        assertTrue(host.endsWith(".localhost"), what + ": " + url);
        String label = host.substring(0, host.length() - ".localhost".length());
        assertTrue(LABEL.matcher(label).matches(), what + ": one label under the domain: " + url);
        String subdomain = text(request, "Subdomain");
        assertTrue(subdomain.isEmpty() || subdomain.toLowerCase(Locale.ROOT).equals(label), what + ": " + url);
        return host;
    }

    private void checkAuth(Map<String, Object> auth, InvalidFrames invalid) throws Exception {
        String what = describe(auth);
        try (NgrokTestClient c = connect()) {
            if (!fitsInAFrame("Auth", auth) || !allStringsOrNull(auth)) {
                assertClosedAsInvalid(c, "Auth", auth, invalid, what);
                return;
            }
            c.send("Auth", auth);
            Frame resp = c.awaitFrame("AuthResp", WAIT);
            assertNotNull(resp, what + ": answered");
            String error = resp.str("Error");
            if (!"2".equals(auth.get("Version")) || !TOKENS.contains(text(auth, "User"))) {
                assertTrue(!error.isEmpty(), what + ": refused");
                assertSensibleText(error, what);
                assertEquals("", resp.str("ClientId"), what);
                assertTrue(c.awaitClosed(WAIT), what + ": closed after the refusal");
                return;
            }
            assertEquals("", error, what);
            assertEquals("2", resp.str("Version"), what);
            String asked = text(auth, "ClientId");
            String expected = RESUMABLE_ID.matcher(asked).matches() ? Pattern.quote(asked) : "[0-9a-f]{32}";
            assertTrue(resp.str("ClientId").matches(expected), what + ": ClientId " + resp.str("ClientId"));
        }
    }

    /**
     * Sends a frame Go could not decode and checks that the server closes the connection and
     * counts it. The server may close before a frame above the length cap is all written.
     */
    private static void assertClosedAsInvalid(NgrokTestClient c, String type, Map<String, Object> payload,
            InvalidFrames invalid, String what) {
        try {
            c.send(type, payload);
        } catch (IOException closedWhileWriting) {
            // the server refused the length before reading the body
        }
        assertTrue(c.awaitClosed(WAIT), what + ": closed");
        invalid.assertOneMore(what);
    }

    /** Every record is one line of bounded length, unless it carries a stack trace. */
    private static void assertLogLinesSane(LogRecords records) {
        for (LogRecords.Line line : records.lines()) {
            if (line.text().contains("\n\tat ")) {
                continue;
            }
            assertTrue(!line.text().contains("\n") && !line.text().contains("\r"), "one line: " + line.text());
            assertTrue(line.text().length() < 600, "bounded: " + line.text());
        }
    }

    private static void assertSensibleText(String text, String what) {
        assertTrue(text.matches("[ -~]{1,400}"), what + ": printable and short: " + text);
    }

    /** The distinct protocols asked for, in order; empty if any name is not one exactly. */
    private static List<String> protocols(String names) {
        Set<String> asked = new LinkedHashSet<>();
        for (String name : names.split("\\+", -1)) {
            if (!Set.of("http", "https", "tcp").contains(name)) {
                return List.of();
            }
            asked.add(name);
        }
        return List.copyOf(asked);
    }

    private static boolean isDnsName(String name) {
        if (name.length() > 253) {
            return false;
        }
        for (String label : name.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }

    private static boolean fitsInAFrame(String type, Map<String, Object> payload) {
        return WireFrames.encode(type, payload).length - WireFrames.HEADER_BYTES <= MAX_FRAME;
    }

    /** Whether every field but {@code except} holds a string or null, as Go's string fields need. */
    private static boolean allStringsOrNull(Map<String, Object> payload, String... except) {
        for (Map.Entry<String, Object> field : payload.entrySet()) {
            Object value = field.getValue();
            if (List.of(except).contains(field.getKey())) {
                if (value != null && !(value instanceof Integer || value instanceof Long)) {
                    return false;
                }
            } else if (value != null && !(value instanceof String)) {
                return false;
            }
        }
        return true;
    }

    /** A string field's value, Go's zero value for null. */
    private static String text(Map<String, Object> payload, String field) {
        return payload.get(field) == null ? "" : (String) payload.get(field);
    }

    /** The payload as JSON with escapes, cut short: printable in an assertion message. */
    private static String describe(Map<String, Object> payload) {
        try {
            String json = WireFrames.MAPPER.writeValueAsString(payload);
            return json.length() > 300 ? json.substring(0, 300) + "..." : json;
        } catch (IOException e) {
            return String.valueOf(payload);
        }
    }

    /** The server's count of invalid frames as last seen: only this test sends any while it runs. */
    private static final class InvalidFrames {
        private double seen = Metrics.valueOrZero(INVALID);

        /** Checks that exactly one more was counted since the last look. */
        void assertOneMore(String what) {
            double now = Metrics.valueOrZero(INVALID);
            assertEquals(seen + 1, now, what + ": counted as an invalid frame");
            seen = now;
        }
    }

    /** A control session with a tunnel of its own, so that a refused request does not end it. */
    private final class Session {
        final NgrokTestClient client;
        int tunnels;
        boolean closed;

        Session(NgrokTestClient client) throws IOException {
            this.client = client;
            assertEquals("", client.reqTunnel("http", "", "", "", 0).get(0).str("Error"), "keeper tunnel");
            tunnels = 1;
        }
    }
}
