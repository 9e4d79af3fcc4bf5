package io.tunneld.testsupport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A local service slow to answer a connect: its accept queue is kept full, so the kernel
 * drops a connecting SYN and the connector retransmits it (after about a second) until
 * {@link #open()} makes room. Lets a test act while a connection to it is still opening.
 * Linux only, as the kernel behaviour it relies on.
 */
public final class FullAcceptQueue implements AutoCloseable {

    private final ServerSocket server;
    /** The connections filling the queue, open until {@link #open()}. */
    private final List<SocketChannel> fillers = new ArrayList<>();

    public FullAcceptQueue() throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        // Until a connect goes unanswered: Linux queues backlog + 1 (two here), then drops SYNs.
        for (SocketChannel filler; (filler = connectWithin(300)) != null;) {
            fillers.add(filler);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    /**
     * Waits until a connection to this service is opening, its SYN sent and dropped (Linux's
     * socket tables show it in SYN_SENT): from then on it waits for {@link #open()}. Without
     * this wait, a connect issued a moment late could find the queue open already.
     */
    public void awaitConnecting(int millis) throws IOException, InterruptedException {
        String remote = String.format(":%04X", port());
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!connecting(remote)) {
            if (System.nanoTime() > end) {
                throw new AssertionError("no connection to port " + port() + " opening within " + millis + " ms");
            }
            Thread.sleep(5);
        }
    }

    /** Whether /proc/net/tcp or tcp6 has a socket in SYN_SENT (02) whose remote port ends {@code remote}. */
    private static boolean connecting(String remote) throws IOException {
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(table))) {
                // sl local_address rem_address st ...
                String[] fields = line.trim().split("\\s+");
                if (fields.length > 3 && fields[2].endsWith(remote) && fields[3].equals("02")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Takes the connections that filled the queue: a retransmitted SYN gets in from now on. */
    public void open() throws IOException {
        for (SocketChannel filler : fillers) {
            server.accept().close();
            filler.close();
        }
        fillers.clear();
    }

    /** The next connection, once {@link #open()}, within {@code millis}. */
    public Socket accept(int millis) throws IOException {
        server.setSoTimeout(millis);
        try {
            return server.accept();
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no connection within " + millis + " ms", e);
        }
    }

    /** A connection to the queue if one is answered within {@code millis}, else null (its SYN dropped). */
    private SocketChannel connectWithin(int millis) throws IOException {
        SocketChannel channel = SocketChannel.open();
        try (Selector selector = Selector.open()) {
            channel.configureBlocking(false);
            boolean in = channel.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port()));
            if (!in) {
                channel.register(selector, SelectionKey.OP_CONNECT);
                in = selector.select(millis) > 0 && channel.finishConnect();
            }
            if (in) {
                return channel;
            }
        }
        channel.close();
        return null;
    }

    @Override
    public void close() throws IOException {
        for (SocketChannel filler : fillers) {
            filler.close();
        }
        server.close();
    }
}
