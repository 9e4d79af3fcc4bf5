package io.tunneld.testsupport;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} on a free loopback port, without persistence, for the tests of
 * the cluster. It can be stopped and started again on the same port, empty, as a Redis
 * restarted without persistence would be. {@code src/test/install-redis.sh} installs Redis
 * where it is missing.
 */
public final class RedisServer implements AutoCloseable {

    private final int port;
    private final Path dir;
    private Process process;

    private RedisServer(int port) throws IOException {
        this.port = port;
        this.dir = Files.createTempDirectory("tunneld-redis");
    }

    /** Starts one on a free port. */
    public static RedisServer start() throws IOException {
        RedisServer server = new RedisServer(freePort());
        server.startAgain();
        return server;
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:PORT}. */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Starts the server (again, empty) on its port and waits until it takes connections. */
    public synchronized void startAgain() throws IOException {
        if (running()) {
            throw new IllegalStateException("already running");
        }
        List<String> command = List.of(binary(), "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString());
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile()).start();
        try {
            awaitListening(port, process);
        } catch (IOException e) {
            throw new IOException(e.getMessage() + ": " + Files.readString(dir.resolve("redis.log")));
        }
    }

    /** Waits until {@code process} takes connections on {@code port}. */
    static void awaitListening(int port, Process process) throws IOException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < end) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                if (!process.isAlive()) {
                    break;
                }
                sleep(20);
            }
        }
        throw new IOException("redis-server did not start on port " + port);
    }

    /** Whether it runs now. */
    public synchronized boolean running() {
        return process != null && process.isAlive();
    }

    /** Kills the server (SIGKILL): whatever it held is gone. */
    public synchronized void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }

    static String binary() {
        for (String candidate : List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server")) {
            if (new File(candidate).canExecute()) {
                return candidate;
            }
        }
        throw new IllegalStateException("redis-server not found: run `bash src/test/install-redis.sh` "
                + "(Debian's redis-server package) before the tests");
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
