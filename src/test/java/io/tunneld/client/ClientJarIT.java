package io.tunneld.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.tunneld.testsupport.PublicClient;
import io.tunneld.testsupport.TunneldProcess;

/**
 * The packaged jar as the README's two terminals use it: the server with no arguments, the
 * client with {@code client} and 1.x's arguments, which does not boot the server.
 */
class ClientJarIT {

    private static final String HOST = "127.0.0.11";
    private static final String TOKEN = "client-jar-token-1";

    private static Process client(List<String> args) throws IOException {
        return client(List.of(), args);
    }

    /** The packaged client with these JVM options, then {@code client} and {@code args}. */
    static Process client(List<String> jvmOptions, List<String> args) throws IOException {
        Path app = Path.of(System.getProperty("tunneld.app", "target/quarkus-app")).toAbsolutePath();
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-XX:TieredStopAtLevel=1"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", app.resolve("quarkus-run.jar").toString(), "client"));
        command.addAll(args);
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    /** What the client printed up to its first "Tunnel established at" line, or all it printed before it ended. */
    static String untilEstablished(Process p) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String line; (line = out.readLine()) != null; ) {
            seen.append(seen.length() == 0 ? "" : "\n").append(line);
            if (line.contains("Tunnel established at ")) {
                break;
            }
        }
        return seen.toString();
    }

    @Test
    void versionPrintsThe1xVersionAndExits() throws Exception {
        Process p = client(List.of("version"));
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        assertEquals("1.7\n", new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void theClientJarTunnelsToTheServerJarWithoutBootingAServer() throws Exception {
        int tunnel = freePort();
        int http = freePort();
        Path config = Files.createTempFile("ngrok", ".yml");
        Files.writeString(config, "server_addr: " + HOST + ":" + tunnel + "\nauth_token: " + TOKEN + "\ninspect_addr: disabled\n");
        Map<String, String> env = Map.of("TUNNELD_TUNNEL_HOST", HOST, "TUNNELD_TUNNEL_PORT", String.valueOf(tunnel),
                "TUNNELD_HTTP_HOST", HOST, "TUNNELD_HTTP_PORT", String.valueOf(http), "TUNNELD_HTTPS_ENABLED", "false",
                "TUNNELD_TCP_ENABLED", "false", "TUNNELD_AUTH_TOKENS", TOKEN);
        try (TunneldProcess server = TunneldProcess.start("client-jar-server", HOST, freePort(), env);
                LocalHttpService web = new LocalHttpService()) {
            Process p = client(List.of("-config=" + config, "-log=stdout", "-log-level=INFO", "-tls-skip-verify",
                    "-proto=http", "-subdomain=jar", String.valueOf(web.port())));
            try {
                String seen = untilEstablished(p);
                assertTrue(seen.endsWith("] [INFO] [client] Tunnel established at http://jar.localhost:" + http), seen);
                assertFalse(seen.contains("Quarkus") || seen.contains("listener on"),
                        "the client does not start the server: " + seen);
                Socket visitor = new Socket(HOST, http);
                visitor.setSoTimeout(15_000);
                String answer = PublicClient.exchange(visitor,
                        "GET /through-the-jar HTTP/1.1\r\nHost: jar.localhost\r\nConnection: close\r\n\r\n");
                assertTrue(answer.endsWith("local GET /through-the-jar 0"), answer);
            } finally {
                p.destroy();
                assertTrue(p.waitFor(10, TimeUnit.SECONDS), "the client stops on SIGTERM");
                Files.delete(config);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
