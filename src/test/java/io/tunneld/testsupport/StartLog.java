package io.tunneld.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The server's log written to a file from its very first line, for what it says while it starts
 * (before a test can attach {@link LogRecords}). A test profile turns it on with
 * {@link #configOverrides()}; its tests read it with {@link #lines()}.
 */
public final class StartLog {

    private static final String PATH = "quarkus.log.file.path";

    private StartLog() {
    }

    /** Settings that write the log to a new temporary file. */
    public static Map<String, String> configOverrides() {
        try {
            Path file = Files.createTempFile("tunneld", ".log");
            file.toFile().deleteOnExit();
            return Map.of("quarkus.log.file.enabled", "true", PATH, file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every line logged so far by the running server. */
    public static List<String> lines() throws IOException {
        return Files.readAllLines(Path.of(ConfigProvider.getConfig().getValue(PATH, String.class)));
    }
}
