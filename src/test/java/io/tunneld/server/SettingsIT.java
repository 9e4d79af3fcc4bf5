package io.tunneld.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.tunneld.testclient.NgrokTestClient;
import io.tunneld.testsupport.PemFiles;
import io.tunneld.testsupport.TunneldProcess;

/**
 * Bad settings as an operator meets them: the packaged server run with them prints one line
 * naming the setting and why, no stack trace, and exits with status 1; a listener that cannot
 * start stops it too (tunneld.fail-fast), as the cluster's forward port does; weak tokens are
 * refused unless allowed; the management port listens on loopback unless told otherwise.
 */
class SettingsIT {

    private static final String HOST = "127.0.0.1";
    private static final String STRONG = "settings-it-token-7f3a9c";

    @Test
    void aDomainThatIsNoDnsNameStopsTheStartWithOneLine() throws Exception {
        assertStopsWith("bad-domain", Map.of("TUNNELD_DOMAIN", "bad domain"), List.of("tunneld.domain \"bad domain\" "
                + "is not a DNS name (letters, digits and hyphens in labels of at most 63, separated by dots)"));
    }

    @Test
    void aWeakTokenStopsTheStartNamingItsPositionNotItsValue() throws Exception {
        List<String> output = assertStopsWith("weak-token", Map.of("TUNNELD_AUTH_TOKENS", STRONG + ",change-me"),
                List.of("tunneld.auth.tokens: token-2 is shorter than 16 characters; use a long random one "
                        + "(openssl rand -hex 32), or set tunneld.auth.allow-weak-tokens=true"));
        assertFalse(String.join("\n", output).contains("change-me"));
    }

    @Test
    void allowWeakTokensServesAClientWithAWeakToken() throws Exception {
        Map<String, String> env = listeners();
        env.putAll(Map.of("TUNNELD_AUTH_TOKENS", "change-me", "TUNNELD_AUTH_ALLOW_WEAK_TOKENS", "true"));
        try (TunneldProcess server = TunneldProcess.start("allow-weak-tokens", HOST, freePort(), env);
                NgrokTestClient client = NgrokTestClient.connect(HOST, Integer.parseInt(env.get("TUNNELD_TUNNEL_PORT")))) {
            assertEquals("", client.auth("change-me", "").str("Error"));
            assertTrue(server.output().stream().anyMatch(l -> l.contains(" WARN ") && l.contains(
                    "tunneld.auth.tokens: token-1 is shorter than 16 characters; accepted, as "
                            + "tunneld.auth.allow-weak-tokens=true")), server.log());
        }
    }

    @Test
    void aKeyOfAnotherCertificateStopsTheStartWithOneLine() throws Exception {
        PemFiles pem = PemFiles.selfSigned("localhost", "*.localhost");
        PemFiles other = PemFiles.selfSigned("localhost", "*.localhost");
        assertStopsWith("key-mismatch", Map.of("TUNNELD_AUTH_TOKENS", STRONG,
                "TUNNELD_TUNNEL_TLS_CERT_FILE", pem.cert().toString(), "TUNNELD_TUNNEL_TLS_KEY_FILE", other.key().toString()),
                List.of("tunneld.tunnel.tls: TLS certificate " + pem.cert() + " and key " + other.key()
                        + " of tunnel, https: the key does not match the certificate"));
    }

    @Test
    void aListenerThatCannotBindStopsTheStartNamingItsAddress() throws Exception {
        try (ServerSocket squatter = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            Map<String, String> env = listeners();
            env.putAll(Map.of("TUNNELD_AUTH_TOKENS", STRONG, "TUNNELD_HTTP_PORT", String.valueOf(squatter.getLocalPort())));
            TunneldProcess server = TunneldProcess.launch("port-taken", HOST, freePort(), env);
            assertEquals(1, server.awaitExit(Duration.ofSeconds(60)), server.log());
            List<String> output = server.output();
            String last = output.get(output.size() - 1);
            assertTrue(last.startsWith("http listener cannot start on " + HOST + ":" + squatter.getLocalPort() + ": ")
                    && last.contains("Address already in use")
                    && last.endsWith(" (tunneld.fail-fast=false starts without it)"), last);
            assertNoStackTrace(output);
        }
    }

    @Test
    void aClusterForwardPortThatCannotBindStopsTheStartNamingItsAddress() throws Exception {
        try (ServerSocket squatter = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            Map<String, String> env = listeners();
            // Nothing answers at this Redis: the forward port is bound before Redis is first asked.
            env.putAll(Map.of("TUNNELD_AUTH_TOKENS", STRONG, "TUNNELD_CLUSTER_REDIS_URL", "redis://127.0.0.1:1",
                    "TUNNELD_CLUSTER_SECRET", "settings-it-cluster-secret", "TUNNELD_CLUSTER_ADVERTISE_HOST", HOST,
                    "TUNNELD_CLUSTER_FORWARD_PORT", String.valueOf(squatter.getLocalPort())));
            TunneldProcess server = TunneldProcess.launch("forward-port-taken", HOST, freePort(), env);
            assertEquals(1, server.awaitExit(Duration.ofSeconds(60)), server.log());
            List<String> output = server.output();
            String last = output.get(output.size() - 1);
            assertTrue(last.startsWith("forward listener cannot start on " + HOST + ":" + squatter.getLocalPort() + ": ")
                    && last.contains("Address already in use"), last);
            assertNoStackTrace(output);
        }
    }

    @Test
    void theManagementPortListensOnLoopbackByDefault() throws Exception {
        int health = freePort();
        Map<String, String> env = listeners();
        env.putAll(Map.of("TUNNELD_AUTH_TOKENS", STRONG, "QUARKUS_HTTP_PORT", String.valueOf(health)));
        try (TunneldProcess server = TunneldProcess.launch("management-loopback", HOST, health, env)) {
            server.awaitReady(Duration.ofSeconds(30));
            assertTrue(server.output().stream().anyMatch(l -> l.contains("Listening on: http://127.0.0.1:" + health)),
                    server.log());
        }
    }

    /** Runs the server with {@code settings}, expects it to exit with 1 having printed {@code expected} only. */
    private static List<String> assertStopsWith(String name, Map<String, String> settings, List<String> expected)
            throws Exception {
        Map<String, String> env = listeners();
        env.putAll(settings);
        TunneldProcess server = TunneldProcess.launch(name, HOST, freePort(), env);
        assertEquals(1, server.awaitExit(Duration.ofSeconds(60)), server.log());
        assertEquals(expected, server.output());
        return server.output();
    }

    private static void assertNoStackTrace(List<String> output) {
        assertTrue(output.stream().noneMatch(l -> l.startsWith("\tat ") || l.contains("Exception")), String.join("\n", output));
    }

    /** Every listener on loopback, on free ports. */
    private static Map<String, String> listeners() throws IOException {
        Map<String, String> env = new HashMap<>();
        for (String listener : List.of("TUNNEL", "HTTP", "HTTPS")) {
            env.put("TUNNELD_" + listener + "_HOST", HOST);
            env.put("TUNNELD_" + listener + "_PORT", String.valueOf(freePort()));
        }
        env.put("TUNNELD_TCP_HOST", HOST);
        env.put("QUARKUS_HTTP_PORT", String.valueOf(freePort()));
        return env;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
