package io.tunneld.tunnel;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * A server as deployed behind a load balancer: its own domain, HTTP shown on port 80, HTTPS
 * turned off, and hostnames allowed only under two customer domains.
 */
public class PublicUrlsProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "tunneld.domain", "Tunnels.Test",
                "tunneld.http.public-port", "80",
                "tunneld.https.enabled", "false",
                "tunneld.allowed-hostname-domains", "example.test, other.test");
    }
}
