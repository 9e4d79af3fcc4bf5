package io.tunneld.limits;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.tunneld.tls.SelfSignedCertificate;

/**
 * A server with tiny limits and short timeouts, authentication off, and a certificate from
 * PEM files (for example.test) instead of the generated one.
 */
public class SmallLimitsProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        SelfSignedCertificate cert = SelfSignedCertificate.create(List.of("example.test", "*.example.test"));
        try {
            Path dir = Files.createTempDirectory("tunneld-tls");
            Path certFile = Files.write(dir.resolve("tls.crt"), cert.certPem().getBytes());
            Path keyFile = Files.write(dir.resolve("tls.key"), cert.keyPem().getBytes());
            dir.toFile().deleteOnExit();
            certFile.toFile().deleteOnExit();
            keyFile.toFile().deleteOnExit();
            return Map.ofEntries(
                    Map.entry("tunneld.auth.enabled", "false"),
                    Map.entry("tunneld.https.tls.cert-file", certFile.toString()),
                    Map.entry("tunneld.https.tls.key-file", keyFile.toString()),
                    Map.entry("tunneld.limits.max-frame-length", "512"),
                    Map.entry("tunneld.limits.controls", "3"),
                    Map.entry("tunneld.limits.tunnels-per-client", "2"),
                    Map.entry("tunneld.limits.proxies-per-client", "2"),
                    Map.entry("tunneld.timeouts.heartbeat", "2s"),
                    Map.entry("tunneld.timeouts.sweep-interval", "1s"),
                    Map.entry("tunneld.timeouts.proxy-idle", "2s"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
