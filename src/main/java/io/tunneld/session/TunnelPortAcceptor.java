package io.tunneld.session;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.tunneld.config.TunneldConfig;
import io.tunneld.metrics.TunnelMetrics;
import io.tunneld.protocol.Auth;
import io.tunneld.protocol.FrameReader;
import io.tunneld.protocol.FrameWriter;
import io.tunneld.protocol.Message;
import io.tunneld.protocol.ProtocolException;
import io.tunneld.protocol.RegProxy;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;

/**
 * Accepts connections on the tunnel port: reads the first frame within the deadline and
 * makes the connection a control ({@code Auth}) or a proxy ({@code RegProxy}). Anything
 * else, or anything malformed, closes that one connection with a log line.
 */
@ApplicationScoped
public class TunnelPortAcceptor implements Handler<NetSocket> {

    private static final Logger LOG = Logger.getLogger(TunnelPortAcceptor.class);
    /** Frames a client may send before its session is open (the stock client sends none). */
    private static final int MAX_EARLY_FRAMES = 32;

    private final TunneldConfig config;
    private final ControlRegistry controls;
    private final TunnelMetrics metrics;
    private final Vertx vertx;

    public TunnelPortAcceptor(TunneldConfig config, ControlRegistry controls, TunnelMetrics metrics, Vertx vertx) {
        this.config = config;
        this.controls = controls;
        this.metrics = metrics;
        this.vertx = vertx;
    }

    @Override
    public void handle(NetSocket socket) {
        new Connection(socket).start();
    }

    /** One tunnel-port connection until it knows what it is. */
    private final class Connection {
        private final NetSocket socket;
        private Control control;
        private boolean firstFrameSeen;
        private boolean proxy;
        private long deadline;
        /** Frames that came while the session was being opened, for it once it is. */
        private List<Message> early;

        Connection(NetSocket socket) {
            this.socket = socket;
        }

        void start() {
            deadline = vertx.setTimer(config.timeouts().firstFrame().toMillis(), t -> {
                LOG.debugf("tunnel-port connection from %s sent no frame in time", socket.remoteAddress());
                socket.close();
            });
            socket.closeHandler(v -> vertx.cancelTimer(deadline));
            socket.exceptionHandler(e -> LOG.debugf("tunnel-port connection from %s: %s",
                    socket.remoteAddress(), e.getMessage()));
            socket.handler(new FrameReader(config.limits().maxFrameLength(), this::onMessage, this::onInvalid));
        }

        private void onMessage(Message message) {
            if (control != null) {
                control.onMessage(message);
                return;
            }
            if (early != null) {
                if (early.size() < MAX_EARLY_FRAMES) {
                    early.add(message);
                } else {
                    reject("unexpected", "too many frames before its session was open");
                }
                return;
            }
            if (firstFrameSeen) {
                if (proxy) {
                    // A proxy sends nothing between RegProxy and StartProxy.
                    reject("unexpected", "a frame after RegProxy");
                }
                // Otherwise the Auth was refused: the connection closes once the answer is out.
                return;
            }
            firstFrameSeen = true;
            vertx.cancelTimer(deadline);
            if (message instanceof Auth auth) {
                FrameWriter writer = new FrameWriter(socket, vertx.getOrCreateContext(),
                        config.limits().controlWriteQueue());
                early = new ArrayList<>();
                controls.open(socket, writer, auth).onSuccess(opened -> {
                    List<Message> queued = early;
                    early = null;
                    control = opened.orElse(null);
                    if (control != null) {
                        queued.forEach(control::onMessage);
                    }
                });
            } else if (message instanceof RegProxy reg) {
                proxy = true;
                controls.registerProxy(reg.clientId(), socket);
            } else {
                reject("unexpected", "first frame " + message.getClass().getSimpleName());
            }
        }

        private void onInvalid(ProtocolException e) {
            if (control != null) {
                metrics.frameRejected("invalid");
                LOG.infof("control %s: closed for an invalid frame: %s", control.logId(), e.getMessage());
                control.shutdown("invalid frame");
            } else {
                reject("invalid", e.getMessage());
            }
        }

        private void reject(String reason, String what) {
            metrics.frameRejected(reason);
            LOG.infof("tunnel-port connection from %s closed: %s", socket.remoteAddress(), what);
            socket.close();
        }
    }
}
