package io.tunneld.cluster;

import java.time.Duration;
import java.util.function.BiConsumer;

import org.jboss.logging.Logger;

import io.tunneld.protocol.PeerText;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

/**
 * Where connections from other replicas enter: the internal forward port, behind mutual TLS
 * ({@link ReplicaTrust}) unless {@code tunneld.cluster.forward-tls} is off. A connection must
 * say what it is within the first-frame deadline. A link must prove it knows the cluster
 * secret (an HMAC of a fresh challenge) before its messages are heard; a claim presents the
 * handle of a proxy connection parked here and is joined to it. Anything else closes that
 * connection with a log line; no public tunnel is ever reached this way.
 */
final class ForwardPort implements Handler<NetSocket> {

    private static final Logger LOG = Logger.getLogger(ForwardPort.class);

    private final Vertx vertx;
    private final ClusterSecret secret;
    private final Duration firstFrame;
    private final BiConsumer<String, PeerFrame> onMessage;
    private final ClaimHandler onClaim;
    private final Handles handles = new Handles();

    /** Takes a claim connection once its opening frame has been read. */
    interface ClaimHandler {
        /**
         * @param connection the claiming replica's connection, paused on nothing: the caller
         *                   answers with a status frame and joins it
         * @param open       the opening frame, with the handle, URL and client address
         * @param rest       bytes read past the opening frame
         */
        void claim(NetSocket connection, PeerFrame open, Buffer rest);
    }

    ForwardPort(Vertx vertx, ClusterSecret secret, Duration firstFrame, BiConsumer<String, PeerFrame> onMessage,
            ClaimHandler onClaim) {
        this.vertx = vertx;
        this.secret = secret;
        this.firstFrame = firstFrame;
        this.onMessage = onMessage;
        this.onClaim = onClaim;
    }

    /** What a link's proof signs: the acceptor's challenge and the dialer's replica id. */
    static String proofText(String challenge, String from) {
        return "tunneld-link-1\n" + challenge + "\n" + from;
    }

    @Override
    public void handle(NetSocket socket) {
        new Incoming(socket).start();
    }

    /** One forward-port connection until it is a proven link or a joined claim. */
    private final class Incoming {
        private final NetSocket socket;
        private PeerFrameReader reader;
        private long deadline;
        private String from;
        private String challenge;
        private boolean proven;

        Incoming(NetSocket socket) {
            this.socket = socket;
        }

        void start() {
            deadline = vertx.setTimer(firstFrame.toMillis(), t -> refuse("nothing said in time"));
            socket.closeHandler(v -> vertx.cancelTimer(deadline));
            socket.exceptionHandler(e -> LOG.debugf("forward-port connection from %s: %s", socket.remoteAddress(),
                    e.getMessage()));
            reader = new PeerFrameReader(this::onFrame, this::refuse);
            socket.handler(first -> {
                // A TLS record's header (handshake, version 3.x): reached here only if this port has no TLS.
                if (first.length() >= 2 && first.getByte(0) == 0x16 && first.getByte(1) == 0x03) {
                    refuse("it speaks TLS and this replica does not: tunneld.cluster.forward-tls must be the"
                            + " same on every replica");
                    return;
                }
                socket.handler(reader);
                reader.handle(first);
            });
        }

        private void onFrame(PeerFrame frame) {
            if (proven) {
                onMessage.accept(from, frame);
                return;
            }
            if (from == null && "open".equals(frame.type()) && frame.from() != null) {
                from = frame.from();
                if ("claim".equals(frame.kind()) && frame.handle() != null) {
                    vertx.cancelTimer(deadline);
                    reader.detach();
                    onClaim.claim(socket, frame, reader.rest());
                    return;
                }
                if ("link".equals(frame.kind())) {
                    challenge = handles.challenge();
                    socket.write(PeerFrame.challenge(challenge).encode());
                    return;
                }
            } else if (challenge != null && "proof".equals(frame.type()) && frame.proof() != null) {
                if (secret.verify(proofText(challenge, from), frame.proof())) {
                    vertx.cancelTimer(deadline);
                    proven = true;
                    socket.write(PeerFrame.status(true, null).encode());
                    LOG.debugf("cluster: link from replica %s", from);
                    return;
                }
                socket.write(PeerFrame.status(false, "wrong cluster secret").encode());
                refuse("a link from " + socket.remoteAddress() + " calling itself " + PeerText.printable(from)
                        + " did not prove the cluster secret");
                return;
            }
            refuse("unexpected " + frame.type() + " frame");
        }

        private void refuse(String why) {
            vertx.cancelTimer(deadline);
            LOG.warnf("forward-port connection from %s closed: %s", socket.remoteAddress(), why);
            socket.close();
        }
    }
}
