package io.tunneld.cluster;

import java.util.ArrayDeque;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;

/**
 * This replica's message link to one other replica: a forward-port connection opened when
 * first needed, proven with the cluster secret, and opened again after it is lost. Messages
 * sent while it connects wait (a bounded number); those of a link that cannot be made are
 * dropped, and whoever waits for an answer times out. Thread-safe.
 */
final class PeerLink {

    private static final Logger LOG = Logger.getLogger(PeerLink.class);
    /** Messages kept while the link is being made. */
    private static final int MAX_WAITING = 4096;
    private static final long CONNECT_TIMEOUT_MILLIS = 5_000;

    private enum State { IDLE, CONNECTING, READY, CLOSED }

    private final Vertx vertx;
    private final NetClient client;
    private final String self;
    private final String peer;
    private final Supplier<String> address;
    private final ClusterSecret secret;
    private final ArrayDeque<PeerFrame> waiting = new ArrayDeque<>();
    private State state = State.IDLE;
    private NetSocket socket;
    private boolean warned;

    /**
     * @param peer    the other replica's id
     * @param address its current {@code host:port}, or null if unknown
     */
    PeerLink(Vertx vertx, NetClient client, String self, String peer, Supplier<String> address, ClusterSecret secret) {
        this.vertx = vertx;
        this.client = client;
        this.self = self;
        this.peer = peer;
        this.address = address;
        this.secret = secret;
    }

    /** Sends a message, making the link first if needed. */
    synchronized void send(PeerFrame message) {
        switch (state) {
            case READY -> socket.write(message.encode());
            case CLOSED -> { }
            default -> {
                if (waiting.size() < MAX_WAITING) {
                    waiting.add(message);
                }
                if (state == State.IDLE) {
                    connect();
                }
            }
        }
    }

    /** Closes the link for good (the replica left). */
    synchronized void close() {
        state = State.CLOSED;
        waiting.clear();
        if (socket != null) {
            socket.close();
        }
    }

    private void connect() {
        String target = address.get();
        if (target == null) {
            lost("its address is unknown");
            return;
        }
        state = State.CONNECTING;
        int colon = target.lastIndexOf(':');
        String host = target.substring(0, colon);
        int port = Integer.parseInt(target.substring(colon + 1));
        long timer = vertx.setTimer(CONNECT_TIMEOUT_MILLIS, t -> failed(null, "no answer within "
                + CONNECT_TIMEOUT_MILLIS / 1000 + " s"));
        client.connect(port, host).onSuccess(s -> {
            synchronized (this) {
                if (state != State.CONNECTING) {
                    s.close();
                    return;
                }
                socket = s;
            }
            s.closeHandler(v -> failed(s, "closed"));
            s.exceptionHandler(e -> failed(s, e.getMessage()));
            s.handler(new PeerFrameReader(frame -> onFrame(s, frame, timer), why -> failed(s, why)));
            s.write(PeerFrame.openLink(self).encode());
        }).onFailure(e -> {
            vertx.cancelTimer(timer);
            failed(null, innermost(e));
        });
    }

    /** What went wrong first: a refused certificate's reason, under "Failed to create SSL connection". */
    private static String innermost(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
    }

    private void onFrame(NetSocket s, PeerFrame frame, long timer) {
        switch (frame.type()) {
            case "challenge" -> s.write(PeerFrame.proof(secret.sign(ForwardPort.proofText(frame.challenge(), self)))
                    .encode());
            case "status" -> {
                vertx.cancelTimer(timer);
                if (!Boolean.TRUE.equals(frame.ok())) {
                    failed(s, "refused: " + frame.reason());
                    return;
                }
                synchronized (this) {
                    if (state != State.CONNECTING || socket != s) {
                        return;
                    }
                    state = State.READY;
                    warned = false;
                    waiting.forEach(m -> s.write(m.encode()));
                    waiting.clear();
                }
            }
            default -> failed(s, "unexpected " + frame.type());
        }
    }

    private synchronized void failed(NetSocket s, String why) {
        if (state == State.CLOSED || (s != null && s != socket) || (s == null && state != State.CONNECTING)) {
            return;
        }
        if (socket != null) {
            socket.close();
            socket = null;
        }
        lost(why);
    }

    private void lost(String why) {
        int dropped = waiting.size();
        waiting.clear();
        state = State.IDLE;
        if (!warned || dropped > 0) {
            warned = true;
            LOG.warnf("cluster: link to replica %s lost (%s)%s", peer, why,
                    dropped > 0 ? "; " + dropped + " messages dropped" : "");
        }
    }
}
