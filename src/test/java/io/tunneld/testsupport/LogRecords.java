package io.tunneld.testsupport;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.jboss.logmanager.ExtLogRecord;

/**
 * Every log record of the running server, from creation until closed: what tunneld said, and
 * on which thread. Records of a level its category does not log are not made, so none appear.
 */
public final class LogRecords extends Handler implements AutoCloseable {

    /** A record's formatted text (with any stack trace), the thread that logged it, and its level. */
    public record Line(String text, String thread, Level level) {
    }

    private final List<Line> lines = new CopyOnWriteArrayList<>();

    public LogRecords() {
        setLevel(Level.ALL);
        Logger.getLogger("").addHandler(this);
    }

    /** Everything captured so far. */
    public List<Line> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void publish(LogRecord record) {
        String text = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            text += trace;
        }
        lines.add(new Line(text, record instanceof ExtLogRecord ext ? ext.getThreadName() : "", record.getLevel()));
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        Logger.getLogger("").removeHandler(this);
    }
}
