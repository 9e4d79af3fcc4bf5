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
import java.util.ArrayList;
import java.util.List;

/**
 * A local service slow to answer a connect: its accept queue is kept full, so the kernel
 * drops a connecting SYN and the connector retransmits it (after about a second) until
 * {@link #open()} makes room. Lets a test act while a connection to it is still opening.
 */
public final class FullAcceptQueue implements AutoCloseable {

    private final ServerSocket server;
    private final List<Socket> fillers = new ArrayList<>();
    /** Connections waiting in the queue: the fillers, and probes that got in. */
    private int queued;

    public FullAcceptQueue() throws IOException {
        // Linux takes backlog + 1 connections before it drops SYNs: two for a backlog of one.
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        while (!full()) {
            fillers.add(new Socket(InetAddress.getLoopbackAddress(), port()));
            queued++;
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Takes the connections that filled the queue: a retransmitted SYN gets in from now on. */
    public void open() throws IOException {
        for (; queued > 0; queued--) {
            server.accept().close();
        }
        for (Socket filler : fillers) {
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

    /** Whether a connect now stays unanswered for 300 ms (its SYN dropped); one answered stays queued. */
    private boolean full() throws IOException {
        try (SocketChannel probe = SocketChannel.open(); Selector selector = Selector.open()) {
            probe.configureBlocking(false);
            boolean in = probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port()));
            if (!in) {
                probe.register(selector, SelectionKey.OP_CONNECT);
                in = selector.select(300) > 0 && probe.finishConnect();
            }
            if (in) {
                queued++;
            }
            return !in;
        }
    }

    @Override
    public void close() throws IOException {
        for (Socket filler : fillers) {
            filler.close();
        }
        server.close();
    }
}
