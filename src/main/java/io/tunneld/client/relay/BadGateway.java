package io.tunneld.client.relay;

import java.nio.charset.StandardCharsets;

import io.vertx.core.buffer.Buffer;

/**
 * The answer the public side gets when an http tunnel's local service refuses: 1.x's
 * "Tunnel ... unavailable" page, so a person in a browser sees what to start.
 */
final class BadGateway {

    private BadGateway() {
    }

    static Buffer response(String publicUrl, String localAddress) {
        String port = localAddress.substring(localAddress.lastIndexOf(':') + 1);
        String body = "<html>\n<body style=\"background-color: #97a8b9\">\n"
                + "    <div style=\"margin:auto; width:400px;padding: 20px 60px; background-color: #D3D3D3;"
                + " border: 5px solid maroon;\">\n"
                + "        <h2>Tunnel " + escape(publicUrl) + " unavailable</h2>\n"
                + "        <p>Unable to initiate connection to <strong>" + escape(localAddress)
                + "</strong>. A web server must be running on port <strong>" + escape(port)
                + "</strong> to complete the tunnel.</p>\n    </div>\n</body>\n</html>\n";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return Buffer.buffer("HTTP/1.0 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: " + bytes.length
                + "\r\nConnection: close\r\n\r\n").appendBytes(bytes);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
