package io.tunneld.client.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.tunneld.testsupport.TunneldTest;

/**
 * The client run as a user runs it ({@code io.tunneld.Main client ...}, a process of its own)
 * against the server under test: in a terminal (a pseudo-terminal that util-linux's
 * {@code script} allocates) it draws the status screen; with stdout piped it prints plain lines.
 */
@QuarkusTest
class StatusTerminalTest extends TunneldTest {

    private final List<Process> started = new ArrayList<>();
    private Path config;

    @AfterEach
    void stop() throws Exception {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        if (config != null) {
            Files.deleteIfExists(config);
        }
    }

    /** The client's command line (java from this JVM, this test's classpath). */
    private String command(String subdomain) throws IOException {
        config = Files.createTempFile("ngrok", ".yml");
        Files.writeString(config, "server_addr: 127.0.0.1:" + ports.tunnel() + "\nauth_token: tunneld-test-token-1\n"
                + "inspect_addr: 127.0.0.1:0\n");
        // The log manager as the packaged application sets it.
        return System.getProperty("java.home") + "/bin/java -Djava.util.logging.manager=org.jboss.logmanager.LogManager"
                + " io.tunneld.Main client -config=" + config
                + " -tls-skip-verify -subdomain=" + subdomain + " -proto=http 8080";
    }

    private Process start(List<String> command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("CLASSPATH", System.getProperty("java.class.path"));
        pb.environment().remove("COLUMNS");
        Process p = pb.start();
        started.add(p);
        return p;
    }

    /** Reads the process's output until it contains {@code wanted} (10 s at most). */
    private static String readUntil(Process p, String wanted) throws Exception {
        InputStream in = p.getInputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        byte[] buf = new byte[8192];
        while (!out.toString(StandardCharsets.UTF_8).contains(wanted) && System.nanoTime() < end) {
            if (in.available() > 0) {
                out.write(buf, 0, in.read(buf));
            } else if (!p.isAlive()) {
                break;
            } else {
                Thread.sleep(20);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String rest(Process p) throws Exception {
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "the client stops on SIGTERM");
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void inATerminalTheStatusScreenIsDrawnInPlaceAndTheTerminalGivenBack() throws Exception {
        String url = "http://status-tty.localhost:" + ports.http();
        Process script = start(List.of("script", "-qec", command("status-tty"), "/dev/null"));
        String screen = readUntil(script, "Forwarding                    " + url + " -> 127.0.0.1:8080");
        assertTrue(screen.contains("Forwarding                    " + url + " -> 127.0.0.1:8080"), screen);
        int first = screen.indexOf("\033[?1049h\033[?25l\033[Htunneld client");
        assertTrue(first >= 0 && first < screen.indexOf("Tunnel Status"), "the alternate screen, taken first: " + screen);
        // (The terminal turns the screen's \r\n into \r\r\n.)
        assertTrue(screen.contains("Tunnel Status                 online\033[K\r"), screen);
        assertTrue(screen.contains("Web Interface                 http://127.0.0.1:"), screen);
        assertFalse(screen.contains("Web Interface                 http://127.0.0.1:0\033"), screen);
        // Stopped as Ctrl-C or a kill stops it: the terminal is given back.
        ProcessHandle java = script.descendants().filter(h -> h.info().command().orElse("").endsWith("/java"))
                .findFirst().orElseThrow();
        java.destroy();
        String end = rest(script);
        assertTrue(end.contains("\033[?25h\033[?1049l"), "the terminal given back: " + end);
    }

    @Test
    void withStdoutPipedThereArePlainLines() throws Exception {
        String url = "http://status-plain.localhost:" + ports.http();
        Process client = start(List.of("sh", "-c", "exec " + command("status-plain")));
        String printed = readUntil(client, "Forwarding " + url + " -> 127.0.0.1:8080\n");
        assertTrue(printed.contains("Forwarding " + url + " -> 127.0.0.1:8080\n"), printed);
        client.toHandle().destroy();
        printed += rest(client);
        assertFalse(printed.contains("\033"), "no terminal control: " + printed);
        assertEquals(-1, printed.indexOf("Tunnel Status"), printed);
    }
}
