package io.tunneld.client.views;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import io.tunneld.client.cli.PlainStatus;
import io.tunneld.client.config.Addresses;
import io.tunneld.client.config.ClientConfig;
import io.tunneld.client.inspect.Exchange;
import io.tunneld.client.inspect.Exchanges;
import io.tunneld.client.inspect.HttpInspector;
import io.tunneld.client.inspect.InspectServer;
import io.tunneld.client.inspect.Replayer;
import io.tunneld.client.log.ClientLog;
import io.tunneld.client.log.ErrorText;
import io.tunneld.client.observe.ClientObserver;
import io.tunneld.client.status.StatusState;
import io.tunneld.client.status.TerminalStatus;
import io.vertx.core.Vertx;

/**
 * What the running client shows, chosen as 1.7 chooses its views: the inspection page at
 * {@code inspect_addr} unless "disabled"; unless the log goes to stdout, the status screen
 * when stdout is a terminal, else plain lines.
 */
public final class Views implements AutoCloseable {

    private final ClientConfig config;
    private final ClientLog log;
    private final PrintStream err;
    private final ClientObserver observer;
    private final TerminalStatus screen;
    private final StatusState status;
    private final HttpInspector inspector;
    private final Exchanges exchanges;
    private InspectServer page;

    private Views(ClientConfig config, ClientLog log, PrintStream err, ClientObserver observer, TerminalStatus screen,
            StatusState status, HttpInspector inspector, Exchanges exchanges) {
        this.config = config;
        this.log = log;
        this.err = err;
        this.observer = observer;
        this.screen = screen;
        this.status = status;
        this.inspector = inspector;
        this.exchanges = exchanges;
    }

    /**
     * @param logTarget     {@code -log}: "stdout", "none" or a file
     * @param terminal      stdout is a terminal ({@code System.console() != null})
     * @param clientVersion shown on the status screen
     */
    public static Views choose(ClientConfig config, String logTarget, boolean terminal, Map<String, String> env,
            ClientLog log, PrintStream out, PrintStream err, String clientVersion) {
        boolean pageOn = !config.inspectAddr().equals("disabled");
        boolean screenOn = terminal && !logTarget.equals("stdout");
        List<ClientObserver> views = new ArrayList<>();
        List<Consumer<Exchange>> recipients = new ArrayList<>();
        TerminalStatus screen = null;
        StatusState state = null;
        if (screenOn) {
            state = new StatusState(pageOn ? "starting at " + config.inspectAddr() : "disabled");
            views.add(state);
            recipients.add(state);
            screen = new TerminalStatus(state, out, clientVersion, TerminalStatus.width(env));
        } else if (!logTarget.equals("stdout")) {
            views.add(new PlainStatus(out));
        }
        Exchanges exchanges = null;
        if (pageOn) {
            exchanges = new Exchanges(Exchanges.DEFAULT_CAPACITY);
            recipients.add(exchanges);
        }
        HttpInspector inspector = null;
        if (!recipients.isEmpty()) {
            inspector = new HttpInspector(recipients);
            views.add(inspector);
        }
        return new Views(config, log, err, FanOut.of(views), screen, state, inspector, exchanges);
    }

    /** What the client session is to tell. */
    public ClientObserver observer() {
        return observer;
    }

    /**
     * Starts the views once the session runs: the inspection page on the session's Vert.x,
     * the status screen. A page that cannot listen is reported in one line; the client runs on.
     */
    public void start(Vertx vertx) {
        if (exchanges != null) {
            String address = config.inspectAddr();
            try {
                page = InspectServer.listen(vertx, address, exchanges, new Replayer(vertx, inspector),
                        inspector::tunnels).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
                String host = Addresses.host(address);
                String listening = (host.contains(":") ? "[" + host + "]" : host) + ":" + page.port();
                log.info("web", "Serving web interface on " + listening);
                if (status != null) {
                    status.inspectUrl("http://" + listening);
                }
            } catch (ExecutionException | TimeoutException e) {
                String message = "Failed to serve the inspection page on " + address + ": " + ErrorText.of(e)
                        + " (inspect_addr in the configuration file sets another address, or 'disabled')";
                log.warn("web", message);
                err.println(message);
                if (status != null) {
                    status.inspectUrl("unavailable: " + ErrorText.of(e));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (screen != null) {
            screen.start();
        }
    }

    /** The inspection page's port, or -1 when it does not run. */
    public int inspectPort() {
        return page == null ? -1 : page.port();
    }

    /** Gives the terminal back (the page closes with the session's Vert.x). */
    @Override
    public void close() {
        if (screen != null) {
            screen.close();
        }
    }
}
