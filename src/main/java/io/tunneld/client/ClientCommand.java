package io.tunneld.client;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;

import io.tunneld.client.cli.CommandLineParser;
import io.tunneld.client.cli.UsageException;
import io.tunneld.client.config.AuthTokenFile;
import io.tunneld.client.config.ClientConfig;
import io.tunneld.client.config.ConfigException;
import io.tunneld.client.config.ConfigFile;
import io.tunneld.client.config.TunnelConfig;
import io.tunneld.client.log.ClientLog;
import io.tunneld.client.session.ClientSession;
import io.tunneld.client.views.Views;

/**
 * {@code tunneld client ...}: the ngrok 1.7 client's command, run without the server (no
 * Quarkus, no listening port). Returns when the client stops for good; Ctrl-C closes it.
 */
public final class ClientCommand {

    /** How the usage text names the command. */
    private static final String NAME = "tunneld client";

    private ClientCommand() {
    }

    /**
     * Runs the client with the arguments after {@code client}.
     *
     * @return the process exit status
     */
    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        CommandLineParser.Parsed parsed;
        try {
            parsed = CommandLineParser.parse(args, env);
        } catch (UsageException e) {
            if (e.showUsage()) {
                if (!e.getMessage().isEmpty()) {
                    err.println(e.getMessage());
                }
                err.print(CommandLineParser.usage(NAME));
            } else {
                out.println(e.getMessage());
            }
            return e.status();
        }
        ClientLog log;
        try {
            log = ClientLog.open(parsed.log(), parsed.logLevel(), out);
        } catch (IOException e) {
            out.println("Failed to open log file " + parsed.log() + ": " + e.getMessage());
            return 1;
        }
        try (log) {
            return run(parsed, env, log, out, err);
        }
    }

    private static int run(CommandLineParser.Parsed parsed, Map<String, String> env, ClientLog log, PrintStream out,
            PrintStream err) {
        ClientConfig config;
        try {
            String path = parsed.overrides().config().isEmpty() ? ConfigFile.defaultPath().toString()
                    : parsed.overrides().config();
            log.info("config", "Reading configuration file " + path);
            config = ConfigFile.read(parsed.overrides().config(), env).with(parsed.overrides());
        } catch (ConfigException e) {
            out.println(e.getMessage());
            return 1;
        }
        if (parsed.overrides().command().equals("list")) {
            for (TunnelConfig t : config.tunnels()) {
                out.println(t.name());
            }
            return 0;
        }
        if (config.tlsSkipVerify()) {
            String warning = "WARNING: the server's TLS certificate is not verified (-tls-skip-verify or "
                    + "TUNNELD_CLIENT_TLS_SKIP_VERIFY): whoever can intercept the connection can read and change it."
                    + " For development only.";
            err.println(warning);
            log.warn("client", warning);
        }
        Views views = Views.choose(config, parsed.log(), System.console() != null, env, log, out, err,
                ClientSession.CLIENT_VERSION);
        ClientSession session;
        try {
            session = ClientSession.start(config, log, views.observer());
        } catch (ConfigException e) {
            out.println(e.getMessage());
            return 1;
        }
        AtomicReference<Thread> saver = new AtomicReference<>();
        session.authenticated().onSuccess(v -> saver.set(saveToken(config, log)));
        views.start(session.vertx());
        Thread closer = new Thread(session::close, "client-shutdown");
        Runtime.getRuntime().addShutdownHook(closer);
        String message;
        try {
            message = session.stopped().toCompletionStage().toCompletableFuture().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            message = "interrupted";
        } catch (ExecutionException e) {
            message = e.getCause().getMessage();
        }
        Runtime.getRuntime().removeShutdownHook(closer);
        session.close();
        views.close();
        awaitSaved(saver.get());
        out.println(message);
        return 1;
    }

    /** The token may be accepted just before a stop: let its saving finish before the exit. */
    private static void awaitSaved(Thread saver) {
        if (saver == null) {
            return;
        }
        try {
            saver.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** As 1.7: the accepted token goes into the configuration file (off the event loop). */
    private static Thread saveToken(ClientConfig config, ClientLog log) {
        Thread saver = new Thread(() -> {
            try {
                if (AuthTokenFile.save(Path.of(config.path()), config.authToken())) {
                    log.info("config", "Saved the auth token in " + config.path());
                }
            } catch (IOException | ConfigException e) {
                log.error("config", "Failed to save auth token: " + e.getMessage());
            }
        }, "client-save-token");
        saver.setDaemon(true);
        saver.start();
        return saver;
    }
}
