package io.tunneld.client.inspect;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import io.tunneld.client.cli.CommandLineParser;
import io.tunneld.client.config.ClientConfig;
import io.tunneld.client.config.ConfigFile;
import io.tunneld.client.log.ClientLog;
import io.tunneld.client.observe.OpenTunnel;
import io.tunneld.client.session.ClientSession;
import io.tunneld.client.views.Views;
import io.tunneld.testsupport.Eventually;

/**
 * The client as {@code tunneld client} runs it (its views chosen by {@link Views}, not a
 * terminal), in-process, with its log at DEBUG and its stdout and stderr kept.
 */
final class InspectedClient implements AutoCloseable {

    final ByteArrayOutputStream log = new ByteArrayOutputStream();
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    final ClientSession session;
    final Views views;
    private final ClientLog clientLog;

    InspectedClient(String yaml, String... args) throws Exception {
        CommandLineParser.Parsed parsed = CommandLineParser.parse(args, Map.of());
        ClientConfig config = ConfigFile.parse(yaml, "test.yml", Map.of()).with(parsed.overrides());
        clientLog = ClientLog.to(log, ClientLog.Level.DEBUG);
        views = Views.choose(config, "none", false, Map.of(), clientLog, print(out), print(err), "1.7");
        session = ClientSession.start(config, clientLog, views.observer());
        views.start(session.vertx());
    }

    private static PrintStream print(ByteArrayOutputStream b) {
        return new PrintStream(b, true, StandardCharsets.UTF_8);
    }

    /** The one tunnel of {@code protocol}, once open. */
    OpenTunnel tunnel(String protocol) throws InterruptedException {
        Eventually.eventually(() -> session.tunnels().stream().anyMatch(t -> t.protocol().equals(protocol)));
        return session.tunnels().stream().filter(t -> t.protocol().equals(protocol)).findFirst().orElseThrow();
    }

    String log() {
        clientLog.close();
        return log.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        session.close();
        views.close();
        clientLog.close();
    }
}
