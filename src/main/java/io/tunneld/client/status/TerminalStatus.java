package io.tunneld.client.status;

import java.io.PrintStream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The status screen in a terminal: drawn on the terminal's alternate screen (as 1.x's termbox
 * view), redrawn in place once a second by a thread of its own, so that no event loop ever
 * waits on the terminal. Closing it (or the JVM's shutdown) gives the terminal back as it was.
 */
public final class TerminalStatus implements AutoCloseable {

    private static final String ENTER = "\033[?1049h\033[?25l";
    private static final String LEAVE = "\033[?25h\033[?1049l";

    private final StatusState state;
    private final PrintStream out;
    private final String clientVersion;
    private final int width;
    private final ScheduledExecutorService redraw;
    private final Thread restore = new Thread(this::close, "client-status-restore");
    private boolean closed;

    /**
     * @param width the terminal's width (from {@code COLUMNS}), 0 if unknown
     */
    public TerminalStatus(StatusState state, PrintStream out, String clientVersion, int width) {
        this.state = state;
        this.out = out;
        this.clientVersion = clientVersion;
        this.width = width;
        this.redraw = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "client-status");
            t.setDaemon(true);
            return t;
        });
    }

    /** Takes the terminal's alternate screen and starts redrawing. */
    public synchronized void start() {
        Runtime.getRuntime().addShutdownHook(restore);
        out.print(ENTER);
        redraw.scheduleAtFixedRate(this::draw, 0, 1, TimeUnit.SECONDS);
    }

    private synchronized void draw() {
        if (!closed) {
            out.print(StatusScreen.frame(state.snapshot(System.nanoTime()), clientVersion, width));
            out.flush();
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        redraw.shutdownNow();
        out.print(LEAVE);
        out.flush();
        if (Thread.currentThread() != restore) {
            try {
                Runtime.getRuntime().removeShutdownHook(restore);
            } catch (IllegalStateException e) {
                // Shutting down already: the hook runs close() and finds it done.
            }
        }
    }

    /** The terminal's width as the shell exports it in {@code COLUMNS}, 0 if it does not. */
    public static int width(java.util.Map<String, String> env) {
        try {
            return Math.max(0, Integer.parseInt(env.getOrDefault("COLUMNS", "0").trim()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
