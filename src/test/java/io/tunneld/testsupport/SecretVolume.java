package io.tunneld.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A directory laid out as the kubelet mounts a Kubernetes Secret with {@code tls.crt} and
 * {@code tls.key}: the files are symbolic links into {@code ..data}, itself a link to a
 * directory of the current version. An update writes a new version directory, switches
 * {@code ..data} to it by renaming a new link over it, and deletes the old version: the files'
 * own paths never change, and nothing at them is ever written in place. Deleted at exit.
 */
public record SecretVolume(Path dir) {

    private static final AtomicInteger VERSIONS = new AtomicInteger();

    /** A new volume holding the pair. */
    public static SecretVolume of(PemFiles pair) {
        try {
            SecretVolume volume = new SecretVolume(Files.createTempDirectory("tunneld-secret"));
            volume.dir().toFile().deleteOnExit();
            volume.update(pair);
            for (Path file : new Path[] {volume.cert(), volume.key()}) {
                Files.createSymbolicLink(file, Path.of("..data").resolve(file.getFileName())).toFile().deleteOnExit();
            }
            return volume;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The volume whose certificate file this is. */
    public static SecretVolume ofCertificate(Path cert) {
        return new SecretVolume(cert.getParent());
    }

    public Path cert() {
        return dir.resolve("tls.crt");
    }

    public Path key() {
        return dir.resolve("tls.key");
    }

    /** Switches the volume to a new version holding the pair, as the kubelet does. */
    public void update(PemFiles pair) throws IOException {
        update(pair.cert(), pair.key());
    }

    /** Switches to a new version with these files; a null key file makes a version without one. */
    public void update(Path certSource, Path keySource) throws IOException {
        Path version = Files.createDirectory(dir.resolve("..version_" + VERSIONS.incrementAndGet()));
        version.toFile().deleteOnExit();
        Files.copy(certSource, version.resolve("tls.crt")).toFile().deleteOnExit();
        if (keySource != null) {
            Files.copy(keySource, version.resolve("tls.key")).toFile().deleteOnExit();
        }
        Path data = dir.resolve("..data");
        Path old = Files.isSymbolicLink(data) ? dir.resolve(Files.readSymbolicLink(data)) : null;
        Path link = Files.createSymbolicLink(dir.resolve("..data_tmp"), version.getFileName());
        Files.move(link, data, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        data.toFile().deleteOnExit();
        if (old != null) {
            Files.deleteIfExists(old.resolve("tls.crt"));
            Files.deleteIfExists(old.resolve("tls.key"));
            Files.delete(old);
        }
    }
}
