package io.tunneld.health;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** The public HTTP port is already taken by someone else when tunneld starts. */
public class BusyPortProfile implements QuarkusTestProfile {

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
        return Map.of("tunneld.http.host", "127.0.0.1", "tunneld.http.port", String.valueOf(SQUATTER.getLocalPort()));
    }
}
