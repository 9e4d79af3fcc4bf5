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
    private volatile int http;
    private volatile int https;

    public PublicPorts(TunneldConfig config) {
        this.config = config;
        this.http = config.http().publicPort().orElse(config.http().port());
        this.https = config.https().publicPort().orElse(config.https().port());
    }

    /** Called once a listener is bound. */
    public void bound(Protocol protocol, int port) {
        if (protocol == Protocol.HTTP) {
            http = config.http().publicPort().orElse(port);
        } else if (protocol == Protocol.HTTPS) {
            https = config.https().publicPort().orElse(port);
        }
    }

    /** The port URLs of this protocol show. */
    public int of(Protocol protocol) {
        return protocol == Protocol.HTTPS ? https : http;
    }
}
