package io.tunneld.tunnel;

/**
 * One public endpoint of a client: a URL, what serves its public connections (the session
 * that opened it, here or on another replica), and for HTTP(S) the basic-auth credentials a
 * visitor must present.
 *
 * @param url      public URL as told to the client, e.g. {@code http://demo.localhost:8880}
 * @param routeKey what public traffic is matched on: protocol and host without port, or the TCP port
 * @param host     host name (lower case, no port) for http/https; the domain for tcp
 * @param port     TCP port for tcp tunnels, 0 otherwise
 * @param auth     credentials visitors must present, or null when open to all
 * @param source   where its public connections get their proxy connections
 */
public record Tunnel(Protocol protocol, String url, String routeKey, String host, int port, BasicAuth auth,
        ProxySource source) {

    /** A tunnel of an HTTP(S) host. */
    public static Tunnel http(Protocol protocol, String url, String host, BasicAuth auth, ProxySource source) {
        return new Tunnel(protocol, url, httpRouteKey(protocol, host), host, 0, auth, source);
    }

    /** A tunnel of a TCP port. */
    public static Tunnel tcp(String url, String domain, int port, ProxySource source) {
        return new Tunnel(Protocol.TCP, url, tcpRouteKey(port), domain, port, null, source);
    }

    /** Route key of an HTTP(S) host: the same for every port the host may be reached on. */
    public static String httpRouteKey(Protocol protocol, String host) {
        return protocol.wireName() + "://" + host;
    }

    /** Route key of a TCP port. */
    public static String tcpRouteKey(int port) {
        return "tcp:" + port;
    }

    /** Credentials are secret: never print them. */
    @Override
    public String toString() {
        return url;
    }
}
