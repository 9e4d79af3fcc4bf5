package io.tunneld.client.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.tunneld.client.inspect.Body;
import io.tunneld.client.inspect.Exchange;
import io.tunneld.client.inspect.Request;
import io.tunneld.client.inspect.Response;
import io.tunneld.client.observe.ConnectionObserver;
import io.tunneld.client.observe.OpenTunnel;

/** The status screen rendered from a state, line by line. */
class StatusScreenTest {

    private static final OpenTunnel HTTP = new OpenTunnel("default", "http://demo.localhost:8880", "http",
            "127.0.0.1:8080");
    private static final OpenTunnel TCP = new OpenTunnel("db", "tcp://localhost:31001", "tcp", "127.0.0.1:5432");

    private static Exchange exchange(long id, String method, String uri, int status, long millis, long replayOf) {
        return new Exchange(id, HTTP, "1.2.3.4:5", 0, new Request(method, uri, "HTTP/1.1", List.of(), Body.EMPTY),
                new Response("HTTP/1.1", status, status == 200 ? "OK" : "Not Found", List.of(), Body.EMPTY),
                millis * 1_000_000, replayOf, null);
    }

    @Test
    void theScreenShowsWhat1xShowsAndMore() {
        StatusState state = new StatusState("http://127.0.0.1:4040");
        state.connecting("tunnel.example.com:4443");
        state.online("2");
        state.tunnelOpened(HTTP);
        state.tunnelOpened(TCP);
        ConnectionObserver a = state.connectionOpened(HTTP, "1.2.3.4:5");
        ConnectionObserver b = state.connectionOpened(HTTP, "1.2.3.4:6");
        state.connectionOpened(TCP, "1.2.3.4:7");
        a.closed(1000, 2 * 1024 * 1024);
        b.localUnreachable("connection refused");
        for (int i = 1; i <= 10; i++) {
            state.accept(exchange(i, "GET", "/page/" + i, 200, i, -1));
        }
        state.accept(exchange(11, "POST", "/a/very/long/path/that/is/cut/at/25", 404, 100, -1));
        state.accept(exchange(12, "POST", "/replayed", 200, 1, 11));

        List<String> lines = StatusScreen.lines(state.snapshot(System.nanoTime()), "1.7", 0);
        assertEquals(List.of(
                "tunneld client                                                  (Ctrl+C to quit)",
                "",
                "Tunnel Status                 online",
                "Server                        tunnel.example.com:4443",
                "Version                       1.7/2",
                "Forwarding                    http://demo.localhost:8880 -> 127.0.0.1:8080",
                "Forwarding                    tcp://localhost:31001 -> 127.0.0.1:5432",
                "Web Interface                 http://127.0.0.1:4040",
                "# Conn                        1 open, 3 total",
                "Bytes                         1000 B in, 2.0 MiB out (closed connections)",
                "HTTP Requests                 11/min",
                "HTTP Latency                  p50 6.00 ms, p90 10 ms",
                "",
                "HTTP Requests",
                "-------------",
                "",
                "POST /a/very/long/path/that/i 404 Not Found",
                "GET /page/10                  200 OK",
                "GET /page/9                   200 OK",
                "GET /page/8                   200 OK",
                "GET /page/7                   200 OK",
                "GET /page/6                   200 OK",
                "GET /page/5                   200 OK",
                "GET /page/4                   200 OK",
                "GET /page/3                   200 OK",
                "GET /page/2                   200 OK"), lines);
    }

    @Test
    void reconnectingBeforeAnyTrafficAndLinesCutToTheWidth() {
        StatusState state = new StatusState("disabled");
        state.connecting("127.0.0.1:1");
        state.reconnecting("Failed to connect to server 127.0.0.1:1: Connection refused", Duration.ofSeconds(1));
        state.connecting("127.0.0.1:1");
        List<String> lines = StatusScreen.lines(state.snapshot(System.nanoTime()), "1.7", 40);
        assertEquals(List.of(
                "tunneld client          (Ctrl+C to quit)",
                "",
                "Tunnel Status                 reconnecti",
                "Server                        127.0.0.1:",
                "Version                       1.7/",
                "Web Interface                 disabled",
                "# Conn                        0 open, 0 ",
                "Bytes                         0 B in, 0 ",
                "HTTP Requests                 0/min",
                "HTTP Latency                  -"), lines);
    }

    @Test
    void aFrameRedrawsInPlaceAndWhatCameFromTheNetworkCannotMoveTheCursor() {
        StatusState state = new StatusState("disabled");
        state.online("2");
        state.accept(exchange(1, "GET", "/\033[2Jevil", 200, 1, -1));
        String frame = StatusScreen.frame(state.snapshot(System.nanoTime()), "1.7", 0);
        assertTrue(frame.startsWith("\033[H"), frame);
        assertTrue(frame.endsWith("\033[K\r\n\033[J"), frame);
        assertTrue(frame.contains("GET /?[2Jevil"), frame);
        assertEquals(1, frame.split("\033\\[H", -1).length - 1);
        assertTrue(new String(frame.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)
                .contains("Tunnel Status                 online\033[K\r\n"));
    }

    @Test
    void percentilesAreNearestRank() {
        assertEquals(-1, StatusState.percentile(new long[0], 50));
        assertEquals(7, StatusState.percentile(new long[] { 7 }, 90));
        assertEquals(5, StatusState.percentile(new long[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, 50));
        assertEquals(9, StatusState.percentile(new long[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, 90));
    }
}
