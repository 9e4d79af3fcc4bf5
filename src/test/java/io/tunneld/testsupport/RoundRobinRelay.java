package io.tunneld.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A layer-4 load balancer as a cluster sits behind: each new connection goes to the next
 * backend in turn (no affinity), bytes are copied both ways with TCP's own backpressure, and
 * a backend that refuses is skipped, as a balancer's health checks would soon skip it.
 */
public final class RoundRobinRelay implements AutoCloseable {

    private final ServerSocket server;
    private final List<InetSocketAddress> backends;
    private final AtomicInteger next = new AtomicInteger();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();

    /** Listens on {@code host:port} (port 0 for any) in front of {@code backends}. */
    public RoundRobinRelay(String host, int port, List<InetSocketAddress> backends) throws IOException {
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getByName(host), port), 200);
        this.backends = List.copyOf(backends);
        daemon("relay-accept", this::acceptLoop);
    }

    public int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket in;
            try {
                in = server.accept();
            } catch (IOException e) {
                return;
            }
            daemon("relay-connect", () -> connect(in));
        }
    }

    private void connect(Socket in) {
        for (int tried = 0; tried < backends.size(); tried++) {
            InetSocketAddress target = backends.get(Math.floorMod(next.getAndIncrement(), backends.size()));
            Socket out = new Socket();
            try {
                out.connect(target, 2_000);
            } catch (IOException refused) {
                closeQuietly(out);
                continue;
            }
            open.add(in);
            open.add(out);
            daemon("relay-up", () -> copy(in, out));
            daemon("relay-down", () -> copy(out, in));
            return;
        }
        closeQuietly(in);
    }

    /** Copies until end of stream, then passes the end on (half-close), or closes both on error. */
    private void copy(Socket from, Socket to) {
        byte[] buffer = new byte[64 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
            }
            to.shutdownOutput();
            if (from.isOutputShutdown() || to.isInputShutdown()) {
                closeBoth(from, to);
            }
        } catch (IOException e) {
            closeBoth(from, to);
        }
    }

    private void closeBoth(Socket a, Socket b) {
        closeQuietly(a);
        closeQuietly(b);
        open.remove(a);
        open.remove(b);
    }

    @Override
    public void close() throws IOException {
        server.close();
        open.forEach(RoundRobinRelay::closeQuietly);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private static void daemon(String name, Runnable task) {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        t.start();
    }
}
