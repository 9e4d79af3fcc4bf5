package io.tunneld.tls;

import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.tunneld.testsupport.PemFiles;
import io.tunneld.testsupport.SecretVolume;
import io.tunneld.testsupport.StartLog;

/**
 * The tunnel port's certificate and key from a Kubernetes-style Secret volume (HTTPS falls back
 * to them), read again every 100 ms. The first certificate is for example.test, not the domain
 * localhost; the log is written to a file, for what the server says about it at start.
 */
public class SecretFilesProfile implements QuarkusTestProfile {

    static final String FIRST_NAMES = "example.test, *.example.test";

    @Override
    public Map<String, String> getConfigOverrides() {
        SecretVolume volume = SecretVolume.of(PemFiles.selfSigned("example.test", "*.example.test"));
        Map<String, String> config = new HashMap<>(StartLog.configOverrides());
        config.putAll(Map.of(
                "tunneld.tunnel.tls.cert-file", volume.cert().toString(),
                "tunneld.tunnel.tls.key-file", volume.key().toString(),
                "tunneld.tls.reload-period", "100ms"));
        return config;
    }
}
