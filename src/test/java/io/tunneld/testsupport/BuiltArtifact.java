package io.tunneld.testsupport;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * What {@code package} built for the integration tests to run: the jar, or the native executable
 * after {@code package -Dnative}. Quarkus records which in {@code target/quarkus-artifact.properties}.
 */
public final class BuiltArtifact {

    private BuiltArtifact() {
    }

    /** Whether the integration tests run a native executable. */
    public static boolean isNative() {
        Path artifact = Path.of("target", "quarkus-artifact.properties");
        if (!Files.exists(artifact)) {
            return false;
        }
        Properties built = new Properties();
        try (Reader in = Files.newBufferedReader(artifact)) {
            built.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "native".equals(built.getProperty("type"));
    }

    /** The native executable (failsafe's {@code native.image.path}, as Quarkus projects name it). */
    public static Path nativeExecutable() {
        return Path.of(System.getProperty("native.image.path")).toAbsolutePath();
    }
}
