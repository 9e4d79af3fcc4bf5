package io.tunneld.limits;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.tunneld.testsupport.PemFiles;

/**
 * A server with tiny limits and short timeouts, authentication off, proxies bound to their
 * control connection's address, and a certificate from PEM files (for example.test) instead
 * of the generated one.
 */
public class SmallLimitsProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        PemFiles pem = PemFiles.selfSigned("example.test", "*.example.test");
        return Map.ofEntries(
                Map.entry("tunneld.auth.enabled", "false"),
                Map.entry("tunneld.security.proxy-same-address", "true"),
                Map.entry("tunneld.https.tls.cert-file", pem.cert().toString()),
                Map.entry("tunneld.https.tls.key-file", pem.key().toString()),
                Map.entry("tunneld.limits.max-frame-length", "512"),
                Map.entry("tunneld.limits.controls", "3"),
                Map.entry("tunneld.limits.tunnels-per-client", "2"),
                Map.entry("tunneld.limits.proxies-per-client", "2"),
                Map.entry("tunneld.limits.control-write-queue", "8"),
                Map.entry("tunneld.timeouts.heartbeat", "2s"),
                Map.entry("tunneld.timeouts.sweep-interval", "1s"),
                Map.entry("tunneld.timeouts.proxy-idle", "2s"),
                Map.entry("tunneld.timeouts.url-affinity", "1s"),
                Map.entry("tunneld.timeouts.joined-idle", "1500ms"),
                Map.entry("tunneld.timeouts.first-frame", "10s"),
                Map.entry("tunneld.timeouts.proxy-wait", "10s"),
                Map.entry("tunneld.limits.waiting-per-tunnel", "2"),
                Map.entry("tunneld.limits.unidentified-connections", "6"),
                Map.entry("tunneld.limits.unidentified-connections-per-address", "3"));
    }
}
