package io.tunneld.client.log;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client's log, in the line format of the 1.x client's (log4go's)
 * {@code [01/02/06 15:04:05] [INFO] [client] Tunnel established at ...}, to stdout, a file, or
 * nowhere ({@code -log}). Lines are written by a thread of their own so that an event loop
 * never waits on a terminal or a disk; if that thread falls far behind, lines are dropped and
 * counted rather than held without bound.
 */
public final class ClientLog implements AutoCloseable {

    /** 1.x's log levels, lowest first, with log4go's four-letter labels. */
    public enum Level {
        FINEST("FNST"), FINE("FINE"), DEBUG("DEBG"), TRACE("TRAC"), INFO("INFO"), WARNING("WARN"), ERROR("EROR"),
        CRITICAL("CRIT");

        final String label;

        Level(String label) {
            this.label = label;
        }

        /** As 1.x: an unknown name is DEBUG. */
        public static Level named(String name) {
            for (Level l : values()) {
                if (l.name().equals(name)) {
                    return l;
                }
            }
            return DEBUG;
        }
    }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("MM/dd/yy HH:mm:ss");
    private static final String STOP = "";

    private final Level threshold;
    private final PrintStream out;
    private final BlockingQueue<String> lines;
    private final AtomicLong dropped = new AtomicLong();
    private final Thread writer;

    private ClientLog(Level threshold, PrintStream out) {
        this.threshold = threshold;
        this.out = out;
        this.lines = out == null ? null : new ArrayBlockingQueue<>(8192);
        this.writer = out == null ? null : new Thread(this::drain, "client-log");
        if (writer != null) {
            writer.setDaemon(true);
            writer.start();
        }
    }

    /** A log that writes nothing ({@code -log=none}). */
    public static ClientLog none() {
        return new ClientLog(Level.CRITICAL, null);
    }

    /** A log to {@code stream} of the lines at {@code threshold} and above. */
    public static ClientLog to(OutputStream stream, Level threshold) {
        return new ClientLog(threshold, new PrintStream(stream, true, StandardCharsets.UTF_8));
    }

    /**
     * 1.x's {@code -log} and {@code -log-level}: "none", "stdout" or a file appended to.
     *
     * @throws IOException the file cannot be opened
     */
    public static ClientLog open(String target, String level, PrintStream stdout) throws IOException {
        return switch (target) {
            case "none" -> none();
            case "stdout" -> to(stdout, Level.named(level));
            default -> to(new FileOutputStream(target, true), Level.named(level));
        };
    }

    /** True when lines at {@code level} are written, so callers can skip building them. */
    public boolean enabled(Level level) {
        return out != null && level.compareTo(threshold) >= 0;
    }

    public void debug(String prefix, String message) {
        log(Level.DEBUG, prefix, message);
    }

    public void info(String prefix, String message) {
        log(Level.INFO, prefix, message);
    }

    public void warn(String prefix, String message) {
        log(Level.WARNING, prefix, message);
    }

    public void error(String prefix, String message) {
        log(Level.ERROR, prefix, message);
    }

    /** One line, {@code [prefix] message}, as 1.x's prefix loggers write it. */
    public void log(Level level, String prefix, String message) {
        if (!enabled(level)) {
            return;
        }
        String line = "[" + TIME.format(LocalDateTime.now()) + "] [" + level.label + "] [" + prefix + "] " + message;
        if (!lines.offer(line)) {
            dropped.incrementAndGet();
        }
    }

    private void drain() {
        try {
            while (true) {
                String line = lines.take();
                if (line == STOP) {
                    break;
                }
                long lost = dropped.getAndSet(0);
                if (lost > 0) {
                    out.println("[" + TIME.format(LocalDateTime.now()) + "] [WARN] [log] " + lost
                            + " lines dropped: the log could not keep up");
                }
                out.println(line);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        out.flush();
    }

    /** Writes the lines still queued (for up to 2 s), then stops. */
    @Override
    public void close() {
        if (writer == null) {
            return;
        }
        try {
            lines.offer(STOP, 2, TimeUnit.SECONDS);
            writer.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
