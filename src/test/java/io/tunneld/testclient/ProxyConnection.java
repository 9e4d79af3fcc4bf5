package io.tunneld.testclient;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLSocket;

/**
 * One proxy connection, run on its own thread as the Go client's {@code proxy()} does: dial the
 * tunnel port, send {@code RegProxy}, wait (without timeout, it may sit in the server's pool) for
 * {@code StartProxy}, dial the local target for its {@code Url} and join both byte streams until
 * either direction ends, then close both sides.
 */
final class ProxyConnection implements Runnable {

    /** The Go client's BadGateway page; 1.x really leaves the html unterminated. */
    private static final String BAD_GATEWAY_BODY = """
            <html>
            <body style="background-color: #97a8b9">
                <div style="margin:auto; width:400px;padding: 20px 60px; background-color: #D3D3D3; border: 5px solid maroon;">
                    <h2>Tunnel %s unavailable</h2>
                    <p>Unable to initiate connection to <strong>%s</strong>. A web server must be running on port <strong>%s</strong> to complete the tunnel.</p>
            """;

    private final NgrokTestClient client;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean registered;
    private volatile Socket tunnelSide;
    private volatile Socket localSide;

    ProxyConnection(NgrokTestClient client) {
        this.client = client;
    }

    @Override
    public void run() {
        try {
            SSLSocket proxy = client.dialTunnel();
            tunnelSide = proxy;
            // Read and write through the raw socket streams: frames are read with exact lengths, so
            // bytes that follow StartProxy stay in the stream for the copy below.
            InputStream in = proxy.getInputStream();
            OutputStream out = proxy.getOutputStream();
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("ClientId", client.clientId());
            client.writeFrame(out, WireFrames.encode("RegProxy", payload));
            registered = true;
            client.proxyOpened();
            proxy.setSoTimeout(0);
            Frame start = client.readFrame(in);
            client.proxyStarted(start);
            String url = start.str("Url");
            InetSocketAddress target = client.forwardTarget(url);
            if (target == null) {
                return;
            }
            Socket local;
            try {
                local = client.dialLocal(target);
            } catch (IOException e) {
                if (url.startsWith("http://") || url.startsWith("https://")) {
                    out.write(badGateway(url, target.getHostString() + ":" + target.getPort()));
                    out.flush();
                }
                return;
            }
            localSide = local;
            InputStream localIn = local.getInputStream();
            client.startDaemon("ngrok-proxy-to-public", () -> pump(localIn, out));
            pump(in, local.getOutputStream());
        } catch (IOException e) {
            // 1.x just logs and drops the proxy connection; tests observe the effect on the public side.
        } finally {
            close();
        }
    }

    private void pump(InputStream from, OutputStream to) {
        byte[] buffer = new byte[16 * 1024];
        try {
            for (int n; (n = from.read(buffer)) >= 0; ) {
                to.write(buffer, 0, n);
                to.flush();
            }
        } catch (IOException e) {
            // either side closed or reset: same as EOF, the join ends
        } finally {
            close();
        }
    }

    /** Closes both sides once, as 1.x's conn.Join does when either copy ends. */
    private void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        client.closeTracked(tunnelSide);
        client.closeTracked(localSide);
        if (registered) {
            client.proxyClosed();
        }
    }

    private static byte[] badGateway(String url, String localAddr) {
        byte[] body = String.format(BAD_GATEWAY_BODY, url, localAddr, localAddr).getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.0 502 Bad Gateway\nContent-Type: text/html\nContent-Length: " + body.length + "\n\n";
        byte[] headBytes = head.getBytes(StandardCharsets.UTF_8);
        byte[] response = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, response, 0, headBytes.length);
        System.arraycopy(body, 0, response, headBytes.length, body.length);
        return response;
    }
}
