package io.tunneld.client;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import io.tunneld.testclient.Frame;
import io.tunneld.testclient.WireFrames;
import io.tunneld.testsupport.PemFiles;
import io.tunneld.tls.SelfSignedCertificate;

/**
 * A stand-in for ngrokd 1.7 that a test scripts frame by frame: a real TLS listener on a
 * loopback port with a certificate for {@code localhost} (its PEM in {@link #caFile()}), which
 * sorts each new connection by its first frame (Auth: a control, RegProxy: a proxy) and hands
 * it to the test. Frames are written as Go's ngrokd writes them: header and body in two TLS
 * records.
 */
final class ScriptedNgrokd implements AutoCloseable {

    /** One accepted connection and the first frame it sent. */
    record Conn(SSLSocket socket, Frame first) {

        Frame read() throws IOException {
            return WireFrames.read(socket.getInputStream());
        }

        /** Writes one frame of this JSON text, as ngrokd's WriteMsg does. */
        void send(String json) throws IOException {
            WireFrames.writeGoStyle(socket.getOutputStream(), WireFrames.encodeRaw(json));
        }

        InputStream in() throws IOException {
            return socket.getInputStream();
        }

        OutputStream out() throws IOException {
            return socket.getOutputStream();
        }
    }

    private final ServerSocket server;
    private final Path caFile;
    private final BlockingQueue<Conn> controls = new LinkedBlockingQueue<>();
    private final BlockingQueue<Conn> proxies = new LinkedBlockingQueue<>();
    private final List<SSLSocket> accepted = new CopyOnWriteArrayList<>();

    ScriptedNgrokd() throws Exception {
        SelfSignedCertificate generated = SelfSignedCertificate.create(List.of("localhost"), Duration.ofDays(1));
        caFile = Files.createTempFile("ngrokd-ca", ".pem");
        Files.writeString(caFile, PemFiles.pem("CERTIFICATE", generated.certificate().getEncoded()));
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("ngrokd", generated.privateKey(), new char[0], new Certificate[] { generated.certificate() });
        KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        managers.init(keys, new char[0]);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(managers.getKeyManagers(), null, null);
        server = context.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "scripted-ngrokd");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    Path caFile() {
        return caFile;
    }

    /** The next control connection (its Auth read), within 10 s. */
    Conn control() throws InterruptedException {
        Conn c = controls.poll(10, TimeUnit.SECONDS);
        assertNotNull(c, "no control connection within 10 s");
        return c;
    }

    /** The next proxy connection (its RegProxy read), within 10 s. */
    Conn proxy() throws InterruptedException {
        Conn c = proxies.poll(10, TimeUnit.SECONDS);
        assertNotNull(c, "no proxy connection within 10 s");
        return c;
    }

    /**
     * The first frame the server sent in the captured samples that contains {@code text}, as
     * its JSON text.
     */
    static String sample(String text) {
        try (InputStream in = ScriptedNgrokd.class.getResourceAsStream("/protocol-samples/wire-samples.txt")) {
            String samples = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return samples.lines().filter(l -> l.contains(" S->C ") && l.contains("json=") && l.contains(text))
                    .map(l -> l.substring(l.indexOf("json=") + "json=".length())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no server frame with " + text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                SSLSocket s = (SSLSocket) server.accept();
                accepted.add(s);
                Thread t = new Thread(() -> sort(s), "scripted-ngrokd-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void sort(SSLSocket s) {
        try {
            Frame first = WireFrames.read(s.getInputStream());
            (first.type().equals("Auth") ? controls : proxies).add(new Conn(s, first));
        } catch (IOException e) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (SSLSocket s : accepted) {
            s.close();
        }
        Files.deleteIfExists(caFile);
    }
}
