package io.tunneld.client.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One tunnel to ask for: a {@code tunnels:} entry of the file, or the one the command line
 * names.
 *
 * @param name       the entry's name ("default" for the command line's)
 * @param protocols  protocol (http, https, tcp) to the local {@code host:port} it forwards to,
 *                   in the order they were written
 * @param auth       {@code user:password} the public side must send, or empty
 * @param remotePort the public TCP port asked for, 0 for any
 */
public record TunnelConfig(String name, Map<String, String> protocols, String subdomain, String hostname,
        String auth, int remotePort) {

    public TunnelConfig {
        protocols = Collections.unmodifiableMap(new LinkedHashMap<>(protocols));
    }

    /** The ReqTunnel Protocol field: the protocols joined with '+', as 1.x sends them. */
    public String protocolField() {
        return String.join("+", protocols.keySet());
    }

    /** Never print the password of {@code auth}. */
    @Override
    public String toString() {
        return "TunnelConfig[" + name + " " + protocols + " subdomain=" + subdomain + " hostname=" + hostname
                + " auth=" + (auth.isEmpty() ? "" : "***") + " remotePort=" + remotePort + "]";
    }
}
