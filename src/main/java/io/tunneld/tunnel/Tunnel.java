package io.tunneld.tunnel;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import io.tunneld.session.Control;

/**
 * One public endpoint of a client: a URL, the session that serves it, and for HTTP(S) the
 * basic-auth credentials a visitor must present.
 *
 * @param url       public URL as told to the client, e.g. {@code http://demo.localhost:8880}
 * @param routeKey  what public traffic is matched on: protocol and host without port, or the TCP port
 * @param host      host name (lower case, no port) for http/https; the domain for tcp
 * @param port      TCP port for tcp tunnels, 0 otherwise
 * @param basicAuth expected {@code Authorization} header value, or null when open to all
 */
public record Tunnel(Protocol protocol, String url, String routeKey, String host, int port,
        String basicAuth, Control control) {

    /** A tunnel of an HTTP(S) host. */
    public static Tunnel http(Protocol protocol, String url, String host, String httpAuth, Control control) {
        String expected = httpAuth.isEmpty() ? null
                : "Basic " + Base64.getEncoder().encodeToString(httpAuth.getBytes(StandardCharsets.UTF_8));
        return new Tunnel(protocol, url, httpRouteKey(protocol, host), host, 0, expected, control);
    }

    /** A tunnel of a TCP port. */
    public static Tunnel tcp(String url, String domain, int port, Control control) {
        return new Tunnel(Protocol.TCP, url, "tcp:" + port, domain, port, null, control);
    }

    /** Route key of an HTTP(S) host: the same for every port the host may be reached on. */
    public static String httpRouteKey(Protocol protocol, String host) {
        return protocol.wireName() + "://" + host;
    }

    /** Credentials are secret: never print them. */
    @Override
    public String toString() {
        return url;
    }
}
