package io.tunneld.session;

import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.runtime.Startup;

import org.jboss.logging.Logger;

import io.tunneld.auth.AuthThrottle;
import io.tunneld.config.TunneldConfig;
import io.tunneld.metrics.RefusalLog;
import io.tunneld.metrics.TunnelMetrics;
import io.tunneld.protocol.Auth;
import io.tunneld.protocol.FrameCodec;
import io.tunneld.protocol.FrameReader;
import io.tunneld.protocol.FrameWriter;
import io.tunneld.protocol.Message;
import io.tunneld.protocol.ProtocolException;
import io.tunneld.protocol.RegProxy;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketInternal;

/**
 * Accepts connections on the tunnel port: reads the first frame within the deadline and
 * makes the connection a control ({@code Auth}) or a proxy ({@code RegProxy}). Anything
 * else, or anything malformed, closes that one connection with a log line.
 */
@Startup
@ApplicationScoped
public class TunnelPortAcceptor implements Handler<NetSocket> {

    private static final Logger LOG = Logger.getLogger(TunnelPortAcceptor.class);

    private final TunneldConfig config;
    private final ControlRegistry controls;
    private final TunnelMetrics metrics;
    private final AuthThrottle throttle;
    private final Vertx vertx;
    private final UnidentifiedConnections unidentified;
    private final Map<String, RefusalLog> refusals = Map.of(
            TunnelMetrics.UNIDENTIFIED_CONNECTIONS, new RefusalLog(LOG),
            TunnelMetrics.UNIDENTIFIED_CONNECTIONS_PER_ADDRESS, new RefusalLog(LOG));

    public TunnelPortAcceptor(TunneldConfig config, ControlRegistry controls, TunnelMetrics metrics,
            AuthThrottle throttle, Vertx vertx) {
        this.config = config;
        this.controls = controls;
        this.metrics = metrics;
        this.throttle = throttle;
        this.vertx = vertx;
        this.unidentified = new UnidentifiedConnections(config.limits().unidentifiedConnections(),
                config.limits().unidentifiedConnectionsPerAddress(), metrics.registry());
        FrameCodec.prepare();
    }

    /** A new connection: counted as unidentified until its first frame, or refused if that is full. */
    @Override
    public void handle(NetSocket socket) {
        String source = UnidentifiedConnections.source(
                ((NetSocketInternal) socket).channelHandlerContext().channel().remoteAddress());
        String limit = unidentified.admit(source);
        if (limit != null) {
            metrics.connectionRefused(limit);
            refusals.get(limit).refused("tunnel-port connection from %s refused: too many connections have not sent"
                    + " their first frame (tunneld.limits.%s)", socket.remoteAddress(), limit);
            socket.close();
            return;
        }
        new Connection(socket, source).start();
    }

    /** One tunnel-port connection until it knows what it is. */
    private final class Connection {
        private final NetSocket socket;
        private final FrameReader reader;
        private final String source;
        private Control control;
        private boolean firstFrameSeen;
        private boolean proxy;
        private long deadline;
        /** The timer of an Auth answer held back by the throttle, or -1. */
        private long heldAuth = -1;
        /** Reading stopped while the Auth is answered: later frames are for the session it may open. */
        private boolean paused;

        Connection(NetSocket socket, String source) {
            this.socket = socket;
            this.reader = new FrameReader(config.limits().maxFrameLength(), this::onMessage, this::onInvalid);
            this.source = source;
        }

        void start() {
            deadline = vertx.setTimer(config.timeouts().firstFrame().toMillis(), t -> {
                LOG.debugf("tunnel-port connection from %s sent no frame in time", socket.remoteAddress());
                socket.close();
            });
            socket.closeHandler(v -> {
                vertx.cancelTimer(deadline);
                throttle.drop(heldAuth);
                identified();
            });
            socket.exceptionHandler(e -> LOG.debugf("tunnel-port connection from %s: %s",
                    socket.remoteAddress(), e.getMessage()));
            socket.handler(reader);
        }

        private void onMessage(Message message) {
            if (control != null) {
                control.onMessage(message);
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
            identified();
            vertx.cancelTimer(deadline);
            if (message instanceof Auth auth) {
                heldAuth = throttle.answer(socket.remoteAddress(), auth.clientId(), () -> openControl(auth));
                if (heldAuth >= 0) {
                    pause();
                }
            } else if (message instanceof RegProxy reg) {
                proxy = true;
                controls.registerProxy(reg.clientId(), socket);
            } else {
                reject("unexpected", "first frame " + message.getClass().getSimpleName());
            }
        }

        /** Answers the Auth; reading waits while the session is opened, if that takes a while (a cluster's directory). */
        private void openControl(Auth auth) {
            heldAuth = -1;
            FrameWriter writer = new FrameWriter(socket, vertx.getOrCreateContext(),
                    config.limits().controlWriteQueue());
            Future<Optional<Control>> opened = controls.open(socket, writer, auth);
            if (!opened.isComplete()) {
                pause();
            }
            opened.onSuccess(session -> {
                control = session.orElse(null);
                if (paused) {
                    paused = false;
                    reader.resume();
                    socket.resume();
                }
            });
        }

        private void pause() {
            paused = true;
            reader.pause();
            socket.pause();
        }

        /** Counted out of the unidentified connections, once: at its first frame, or its close before. */
        private void identified() {
            if (!firstFrameSeen) {
                firstFrameSeen = true;
                unidentified.leave(source);
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
