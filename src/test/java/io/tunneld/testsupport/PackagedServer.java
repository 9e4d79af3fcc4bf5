package io.tunneld.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where an integration test's packaged server (jar or native executable, started by
 * {@code @QuarkusIntegrationTest}) listens: free loopback ports chosen here, so that the test
 * knows them. Made once per test profile, in a static field: Quarkus may make a profile more
 * than once.
 */
public record PackagedServer(int tunnelPort, int httpPort, int httpsPort) {

    /** The one token the server accepts: long enough to pass any check of weak tokens. */
    public static final String TOKEN = "integration-test-token-1";

    public static PackagedServer onFreePorts() {
        try {
            return new PackagedServer(freePort(), freePort(), freePort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The settings that put it there, with TCP tunnels on a hundred ports and {@link #TOKEN}. */
    public Map<String, String> config() {
        Map<String, String> config = new HashMap<>(Map.of(
                "tunneld.tunnel.host", "127.0.0.1", "tunneld.tunnel.port", String.valueOf(tunnelPort),
                "tunneld.http.host", "127.0.0.1", "tunneld.http.port", String.valueOf(httpPort),
                "tunneld.https.host", "127.0.0.1", "tunneld.https.port", String.valueOf(httpsPort),
                "tunneld.tcp.host", "127.0.0.1", "tunneld.auth.tokens", TOKEN));
        // Below Linux's ephemeral ports (32768-60999), where a connection of the test could hold one.
        config.putAll(Map.of("tunneld.tcp.port-min", "30500", "tunneld.tcp.port-max", "30599"));
        return config;
    }

    /** Everything the server logged so far: Quarkus writes it to {@code target/quarkus.log}. */
    public static List<String> logLines() throws IOException {
        return Files.readAllLines(Path.of("target", "quarkus.log"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
