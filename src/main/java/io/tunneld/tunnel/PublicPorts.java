package io.tunneld.tunnel;

import jakarta.enterprise.context.ApplicationScoped;

import io.tunneld.config.TunneldConfig;

/**
 * The ports tunnel URLs show for HTTP and HTTPS: the configured public port (say 80 behind
 * a load balancer), else the port the listener really bound (which differs when configured
 * as 0).
 */
@ApplicationScoped
public class PublicPorts {

    private final TunneldConfig config;
    private volatile int httpBound;
    private volatile int httpsBound;

    public PublicPorts(TunneldConfig config) {
        this.config = config;
        this.httpBound = config.http().port();
        this.httpsBound = config.https().port();
    }

    /** Called once a listener is bound. */
    public void bound(Protocol protocol, int port) {
        if (protocol == Protocol.HTTP) {
            httpBound = port;
        } else if (protocol == Protocol.HTTPS) {
            httpsBound = port;
        }
    }

    /** The port URLs of this protocol show. */
    public int of(Protocol protocol) {
        return protocol == Protocol.HTTPS
                ? config.https().publicPort().orElse(httpsBound)
                : config.http().publicPort().orElse(httpBound);
    }
}
