package io.tunneld.client.observe;

/**
 * A tunnel the server opened for this client.
 *
 * @param name         the configuration's name for it ("default" for the command line's)
 * @param publicUrl    the URL the server gave it (NewTunnel.Url)
 * @param protocol     http, https or tcp
 * @param localAddress {@code host:port} its connections are relayed to
 */
public record OpenTunnel(String name, String publicUrl, String protocol, String localAddress) {

    /** True for http and https tunnels, whose bytes are HTTP once the server has taken TLS off. */
    public boolean carriesHttp() {
        return protocol.equals("http") || protocol.equals("https");
    }
}
