package io.tunneld.health;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.tunneld.testsupport.PemFiles;

/**
 * Two listeners that cannot start: the public HTTP port is already taken by someone else,
 * and the HTTPS certificate files do not exist. The tunnel port has good files of its own.
 */
public class BrokenListenersProfile implements QuarkusTestProfile {

    /** Held open for the whole test run. */
    static final ServerSocket SQUATTER;
    /** Where the HTTPS certificate and key are said to be. */
    static final String MISSING_DIR = "/nonexistent/tunneld/";

    static {
        try {
            SQUATTER = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        PemFiles tunnelPem = PemFiles.selfSigned("localhost", "*.localhost");
        return Map.of(
                "tunneld.http.host", "127.0.0.1",
                "tunneld.http.port", String.valueOf(SQUATTER.getLocalPort()),
                "tunneld.https.tls.cert-file", MISSING_DIR + "tls.crt",
                "tunneld.https.tls.key-file", MISSING_DIR + "tls.key",
                "tunneld.tunnel.tls.cert-file", tunnelPem.cert().toString(),
                "tunneld.tunnel.tls.key-file", tunnelPem.key().toString());
    }
}
