package io.tunneld.health;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.tunneld.testsupport.PemFiles;
import io.tunneld.testsupport.StartLog;

/**
 * Three listeners that cannot start, with {@code tunneld.fail-fast=false}, which runs the server
 * without them: the public HTTP port is already taken by someone else, the tunnel port's key
 * file does not exist, and the HTTPS key belongs to another certificate. The log is written to
 * a file, for what the server says at start.
 */
public class BrokenListenersProfile implements QuarkusTestProfile {

    /** Held open for the whole test run. */
    static final ServerSocket SQUATTER;

    static {
        try {
            SQUATTER = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        PemFiles tunnel = PemFiles.selfSigned("localhost", "*.localhost");
        PemFiles https = PemFiles.selfSigned("localhost", "*.localhost");
        PemFiles other = PemFiles.selfSigned("localhost", "*.localhost");
        Map<String, String> config = new HashMap<>(StartLog.configOverrides());
        config.putAll(Map.of(
                "tunneld.fail-fast", "false",
                "tunneld.http.host", "127.0.0.1",
                "tunneld.http.port", String.valueOf(SQUATTER.getLocalPort()),
                "tunneld.tunnel.tls.cert-file", tunnel.cert().toString(),
                "tunneld.tunnel.tls.key-file", tunnel.key().resolveSibling("missing.key").toString(),
                "tunneld.https.tls.cert-file", https.cert().toString(),
                "tunneld.https.tls.key-file", other.key().toString()));
        return config;
    }
}
