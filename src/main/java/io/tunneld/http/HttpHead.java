package io.tunneld.http;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

import io.vertx.core.buffer.Buffer;

/**
 * What routing needs from a public HTTP request head: the {@code Host} (lower case, port
 * kept as sent, and without it) and the {@code Authorization} header. Only the head is
 * parsed; the bytes themselves are forwarded unchanged.
 *
 * @param hostAsSent host and port as the request gave them, lower case
 * @param host       host without port, what tunnels are registered under
 */
public record HttpHead(String hostAsSent, String host, String authorization) {

    private static final Pattern REQUEST_LINE =
            Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+ \\S+ HTTP/\\d\\.\\d");
    private static final Pattern HOST = Pattern.compile("([a-z0-9._-]+|\\[[0-9a-f:.]+\\])(:\\d{1,5})?");

    /** Index just past the blank line ending the head, or -1 if it has not arrived yet. */
    public static int endOfHead(Buffer bytes, int from) {
        for (int i = Math.max(0, from); i < bytes.length(); i++) {
            if (bytes.getByte(i) == '\n') {
                if (i + 1 < bytes.length() && bytes.getByte(i + 1) == '\n') {
                    return i + 2;
                }
                if (i + 2 < bytes.length() && bytes.getByte(i + 1) == '\r' && bytes.getByte(i + 2) == '\n') {
                    return i + 3;
                }
            }
        }
        return -1;
    }

    /** Whether the bytes so far can still be the start of an HTTP request line. */
    public static boolean plausibleStart(Buffer bytes) {
        int n = Math.min(bytes.length(), 16);
        for (int i = 0; i < n; i++) {
            byte b = bytes.getByte(i);
            if (b == ' ') {
                return i > 0;
            }
            if (b < 0x21 || b > 0x7e) {
                return false;
            }
        }
        return true;
    }

    /**
     * Parses the head in {@code bytes[0, end)}; null when it is not a routable HTTP request
     * (no request line, no Host or more than one, a Host that is no host name).
     */
    public static HttpHead parse(Buffer bytes, int end) {
        String[] lines = bytes.getString(0, end, StandardCharsets.ISO_8859_1.name()).split("\r?\n");
        if (lines.length == 0 || !REQUEST_LINE.matcher(lines[0]).matches()) {
            return null;
        }
        String host = null;
        String authorization = null;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon);
            if (name.equalsIgnoreCase("Host")) {
                if (host != null) {
                    // RFC 9112 3.2: a 400. The tunnel is chosen by one Host and the local
                    // service might read the other.
                    return null;
                }
                host = fieldValue(line, colon + 1).toLowerCase(Locale.ROOT);
            } else if (authorization == null && name.equalsIgnoreCase("Authorization")) {
                authorization = fieldValue(line, colon + 1);
            }
        }
        if (host == null || !HOST.matcher(host).matches()) {
            return null;
        }
        int colon = host.lastIndexOf(':');
        String bare = colon > host.lastIndexOf(']') ? host.substring(0, colon) : host;
        if (bare.endsWith(".")) {
            bare = bare.substring(0, bare.length() - 1);
        }
        return new HttpHead(host, bare, authorization);
    }

    /**
     * The header field value from {@code from} on, without the optional whitespace around it:
     * spaces and tabs only (RFC 9110), not every control character as {@code String.trim()}
     * would strip, so a Host of {@code "\u0000demo.example.com"} is not routed as the tunnel's.
     */
    private static String fieldValue(String line, int from) {
        int start = from;
        int end = line.length();
        while (start < end && isOws(line.charAt(start))) {
            start++;
        }
        while (end > start && isOws(line.charAt(end - 1))) {
            end--;
        }
        return line.substring(start, end);
    }

    private static boolean isOws(char c) {
        return c == ' ' || c == '\t';
    }

    /** Never print credentials. */
    @Override
    public String toString() {
        return "HttpHead[host=" + hostAsSent + "]";
    }
}
