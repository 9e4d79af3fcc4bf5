package io.tunneld.client.inspect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tunneld.client.observe.OpenTunnel;

/**
 * The tap reads what the relay carries as HTTP/1.1, whatever the buffers' boundaries: every
 * stream here is also fed one byte at a time.
 */
class InspectTapTest {

    private static final OpenTunnel TUNNEL = new OpenTunnel("default", "http://t.localhost:8880", "http",
            "127.0.0.1:8080");

    /** What a tap recorded: the last version of each exchange, and how many taps ended. */
    static final class Recorded implements Recorder {
        final Map<Long, Exchange> exchanges = new LinkedHashMap<>();
        final List<Exchange> updates = new ArrayList<>();
        long ids;
        int ended;

        @Override
        public long nextId() {
            return ++ids;
        }

        @Override
        public void record(Exchange e) {
            exchanges.put(e.id(), e);
            updates.add(e);
        }

        @Override
        public void tapEnded() {
            ended++;
        }

        Exchange get(long id) {
            Exchange e = exchanges.get(id);
            assertNotNull(e, "exchange " + id + " in " + exchanges.keySet());
            return e;
        }
    }

    /** Feeds a conversation (strings alternately from the public side and the local side). */
    private static Recorded talk(boolean byteByByte, boolean close, String... turns) {
        Recorded r = new Recorded();
        HttpTap tap = new HttpTap(TUNNEL, "1.2.3.4:5", -1, r);
        for (int i = 0; i < turns.length; i++) {
            byte[] bytes = turns[i].getBytes(StandardCharsets.ISO_8859_1);
            int step = byteByByte ? 1 : bytes.length;
            for (int at = 0; at < bytes.length; at += step) {
                ByteBuf b = Unpooled.wrappedBuffer(bytes, at, Math.min(step, bytes.length - at));
                if (i % 2 == 0) {
                    tap.fromPublic(b);
                } else {
                    tap.fromLocal(b);
                }
            }
        }
        if (close) {
            tap.closed(0, 0);
        }
        return r;
    }

    private static List<Recorded> bothWays(boolean close, String... turns) {
        return List.of(talk(false, close, turns), talk(true, close, turns));
    }

    private static String text(Body b) {
        return new String(b.kept(), StandardCharsets.UTF_8);
    }

    @Test
    void keepAliveExchangesAreRecordedInOrderWithHeadersBodiesAndDurations() {
        for (Recorded r : bothWays(true,
                "POST /a?x=1 HTTP/1.1\r\nHost: t.localhost\r\nAuthorization: Basic dTpw\r\nContent-Length: 5\r\n\r\nhello",
                "HTTP/1.1 201 Created\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok",
                "GET /b HTTP/1.1\r\nHost: t.localhost\r\n\r\n",
                "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")) {
            assertEquals(2, r.exchanges.size());
            Exchange a = r.get(1);
            assertEquals("POST", a.request().method());
            assertEquals("/a?x=1", a.request().uri());
            assertEquals("HTTP/1.1", a.request().version());
            assertTrue(a.request().headers().contains(new Header("Authorization", "Basic dTpw")));
            assertEquals("hello", text(a.request().body()));
            assertEquals(201, a.response().status());
            assertEquals("Created", a.response().reason());
            assertTrue(a.response().headers().contains(new Header("Content-Type", "text/plain")));
            assertEquals("ok", text(a.response().body()));
            assertTrue(a.durationNanos() >= 0);
            assertNull(a.failure());
            assertEquals("1.2.3.4:5", a.clientAddr());
            assertEquals(TUNNEL, a.tunnel());
            Exchange b = r.get(2);
            assertEquals("/b", b.request().uri());
            assertEquals(404, b.response().status());
            assertEquals(0, b.response().body().size());
            assertEquals(1, r.ended);
        }
    }

    @Test
    void theRequestIsRecordedWhenWholeAndAgainWithItsResponse() {
        Recorded r = talk(false, false, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(1, r.updates.size());
        assertNull(r.get(1).response());
        assertTrue(!r.get(1).ended());
    }

    @Test
    void chunkedBodiesBothWaysAreReassembled() {
        for (Recorded r : bothWays(false,
                "PUT /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")) {
            Exchange e = r.get(1);
            assertEquals("abcdefg", text(e.request().body()));
            assertEquals("hello world", text(e.response().body()));
            assertTrue(e.ended());
        }
    }

    @Test
    void bodiesAreKeptUpToTheLimitAndCountedWhole() {
        int size = HttpTap.BODY_LIMIT * 3 + 17;
        String big = "x".repeat(size);
        for (Recorded r : List.of(talk(false, false, "POST /big HTTP/1.1\r\nContent-Length: " + size + "\r\n\r\n" + big,
                "HTTP/1.1 200 OK\r\nContent-Length: " + size + "\r\n\r\n" + big))) {
            Exchange e = r.get(1);
            assertEquals(size, e.request().body().size());
            assertEquals(HttpTap.BODY_LIMIT, e.request().body().kept().length);
            assertTrue(e.request().body().truncated());
            assertEquals(size, e.response().body().size());
            assertEquals(HttpTap.BODY_LIMIT, e.response().body().kept().length);
        }
    }

    @Test
    void aHeadResponseHasNoBodyAndTheNextResponseIsReadAfterIt() {
        for (Recorded r : bothWays(false,
                "HEAD /h HTTP/1.1\r\nHost: x\r\n\r\nGET /g HTTP/1.1\r\nHost: x\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc")) {
            assertEquals(0, r.get(1).response().body().size());
            assertEquals("HEAD", r.get(1).request().method());
            assertEquals("abc", text(r.get(2).response().body()));
            assertEquals("/g", r.get(2).request().uri());
        }
    }

    @Test
    void aContinueBeforeTheResponseIsSkipped() {
        for (Recorded r : bothWays(false,
                "POST /u HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n",
                "HTTP/1.1 100 Continue\r\n\r\n",
                "hi",
                "HTTP/1.1 204 No Content\r\n\r\n")) {
            Exchange e = r.get(1);
            assertEquals("hi", text(e.request().body()));
            assertEquals(204, e.response().status());
        }
    }

    @Test
    void aResponseWithoutLengthEndsWithTheConnection() {
        for (Recorded r : bothWays(true, "GET /old HTTP/1.0\r\n\r\n", "HTTP/1.0 200 OK\r\n\r\nuntil the end")) {
            Exchange e = r.get(1);
            assertEquals("until the end", text(e.response().body()));
            assertNull(e.failure());
            assertTrue(e.durationNanos() >= 0);
        }
    }

    @Test
    void aConnectionClosedBeforeTheResponseLeavesTheExchangeFailed() {
        Recorded r = talk(false, true, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
        Exchange e = r.get(1);
        assertNull(e.response());
        assertEquals("the connection closed before the response ended", e.failure());
        assertTrue(e.ended());
        assertEquals(1, r.ended);
    }

    @Test
    void whatIsNotHttpEndsTheInspectionOfTheConnectionOnly() {
        for (Recorded r : bothWays(true, "\u0016\u0003\u0001\u0002\u0000binary garbage\r\n\r\n",
                "HTTP/1.1 200 OK\r\n\r\n")) {
            assertTrue(r.exchanges.values().stream().allMatch(e -> e.response() == null), "" + r.exchanges);
            assertEquals(1, r.ended);
        }
    }

    @Test
    void anUpgradeIsRecordedAndThenTheConnectionIsNoLongerRead() {
        for (Recorded r : bothWays(true,
                "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
                "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
                "\u0081\u0085frame",
                "\u0081\u0002hi")) {
            assertEquals(1, r.exchanges.size());
            assertEquals(101, r.get(1).response().status());
            assertNull(r.get(1).failure());
            assertEquals(1, r.ended);
        }
    }

    @Test
    void pipelinedRequestsAreMatchedToTheirResponsesInOrder() {
        StringBuilder requests = new StringBuilder();
        StringBuilder responses = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            requests.append("GET /p").append(i).append(" HTTP/1.1\r\nHost: x\r\n\r\n");
            responses.append("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nr").append(i);
        }
        for (Recorded r : bothWays(false, requests.toString(), responses.toString())) {
            for (int i = 0; i < 5; i++) {
                assertEquals("/p" + i, r.get(i + 1).request().uri());
                assertEquals("r" + i, text(r.get(i + 1).response().body()));
            }
        }
    }

    @Test
    void binaryBodiesAreNotText() {
        Body b = new Body(new byte[] { 1, 2, (byte) 0xff }, 3);
        assertNull(b.text());
        assertEquals("héllo", new Body("héllo".getBytes(StandardCharsets.UTF_8), 6).text());
        // A character cut by the limit does not make the body binary.
        byte[] cut = "aé".getBytes(StandardCharsets.UTF_8);
        assertEquals("a", new Body(new byte[] { cut[0], cut[1] }, 100).text());
    }

    @Test
    void aReplayIsEncodedWholeWithItsLengthAndConnectionClose() {
        Request r = new Request("POST", "/r?q=1", "HTTP/1.1", List.of(new Header("Host", "t.localhost"),
                new Header("Transfer-Encoding", "chunked"), new Header("X-Thing", "1"),
                new Header("Connection", "keep-alive")), new Body("abcdefg".getBytes(StandardCharsets.UTF_8), 7));
        String bytes = Replayer.encode(r).toString(StandardCharsets.ISO_8859_1);
        assertEquals("POST /r?q=1 HTTP/1.1\r\nHost: t.localhost\r\nX-Thing: 1\r\ncontent-length: 7\r\n"
                + "connection: close\r\n\r\nabcdefg", bytes);
        assertArrayEquals("GET / HTTP/1.1\r\nconnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1),
                Replayer.encode(new Request("GET", "/", "HTTP/1.1", List.of(), Body.EMPTY)).getBytes());
    }
}
