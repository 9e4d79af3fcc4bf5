package io.tunneld.client.status;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.tunneld.client.observe.OpenTunnel;

/**
 * Renders the status screen as 1.x's terminal view lays it out (labels in a 30-column field,
 * then the HTTP requests), with what tunneld adds: the server, bytes, requests per minute and
 * latency. Pure: the same snapshot gives the same text.
 */
public final class StatusScreen {

    private static final String QUIT = "(Ctrl+C to quit)";
    /** A listed request's method and path are cut to leave a space before its status. */
    private static final int REQUEST_WIDTH = 29;

    private StatusScreen() {
    }

    /**
     * The screen's lines.
     *
     * @param width the terminal's width, to cut lines at (0: do not cut)
     */
    public static List<String> lines(StatusSnapshot s, String clientVersion, int width) {
        List<String> lines = new ArrayList<>();
        int quitAt = Math.max((width > 0 ? width : 80) - QUIT.length(), 16);
        lines.add(String.format(Locale.ROOT, "%-" + quitAt + "s%s", "tunneld client", QUIT));
        lines.add("");
        lines.add(field("Tunnel Status", s.state()));
        lines.add(field("Server", s.server()));
        lines.add(field("Version", clientVersion + "/" + s.serverVersion()));
        for (OpenTunnel t : s.tunnels()) {
            lines.add(field("Forwarding", t.publicUrl() + " -> " + t.localAddress()));
        }
        lines.add(field("Web Interface", s.inspectUrl()));
        lines.add(field("# Conn", s.open() + " open, " + s.total() + " total"));
        lines.add(field("Bytes", bytes(s.bytesIn()) + " in, " + bytes(s.bytesOut()) + " out (closed connections)"));
        lines.add(field("HTTP Requests", s.requestsPerMinute() + "/min"));
        lines.add(field("HTTP Latency", s.p50Nanos() < 0 ? "-"
                : "p50 " + millis(s.p50Nanos()) + ", p90 " + millis(s.p90Nanos())));
        if (!s.recent().isEmpty()) {
            lines.add("");
            lines.add("HTTP Requests");
            lines.add("-------------");
            lines.add("");
            for (StatusSnapshot.Line l : s.recent()) {
                String request = l.method() + " " + l.uri();
                lines.add(field(request.length() > REQUEST_WIDTH ? request.substring(0, REQUEST_WIDTH) : request,
                        l.status()));
            }
        }
        if (width > 0) {
            lines.replaceAll(l -> l.length() > width ? l.substring(0, width) : l);
        }
        return lines;
    }

    /**
     * The whole screen as written to a terminal: from the top-left corner, each line cleared to
     * its end, the rest of the screen cleared, so that it is redrawn in place.
     */
    public static String frame(StatusSnapshot s, String clientVersion, int width) {
        StringBuilder b = new StringBuilder("\033[H");
        for (String line : lines(s, clientVersion, width)) {
            b.append(printable(line)).append("\033[K\r\n");
        }
        return b.append("\033[J").toString();
    }

    private static String field(String label, String value) {
        return String.format(Locale.ROOT, "%-30s%s", label, value);
    }

    /** What came from the network cannot move the cursor or change colours. */
    private static String printable(String line) {
        return line.replaceAll("[\\p{Cntrl}&&[^\t]]", "?");
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String units = "KMGTPE";
        int u = -1;
        double v = n;
        while (v >= 1024 && u < units.length() - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %siB", v, units.charAt(u));
    }

    private static String millis(long nanos) {
        double ms = nanos / 1e6;
        return ms < 10 ? String.format(Locale.ROOT, "%.2f ms", ms) : String.format(Locale.ROOT, "%.0f ms", ms);
    }
}
