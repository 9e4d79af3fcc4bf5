package io.tunneld.session;

import static io.tunneld.testsupport.EventLoops.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.tunneld.auth.AuthThrottle;
import io.tunneld.auth.ClientAuthenticator;
import io.tunneld.config.TunneldConfig;
import io.tunneld.limits.SmallLimitsProfile;
import io.tunneld.metrics.TunnelMetrics;
import io.tunneld.protocol.Auth;
import io.tunneld.protocol.FrameWriter;
import io.tunneld.protocol.ReqTunnel;
import io.tunneld.testclient.WireFrames;
import io.tunneld.testsupport.Interposed;
import io.tunneld.tunnel.Protocol;
import io.tunneld.tunnel.TunnelRegistry;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketInternal;

/**
 * Sessions when another thread acts at the worst moment: the server's own registry and
 * opener driven over plain loopback connections, with the interleaving played exactly by
 * stepping in around a call. Authentication is off here, and at most 3 sessions are allowed.
 */
@QuarkusTest
@TestProfile(SmallLimitsProfile.class)
class SessionRacesTest {

    private static final Auth AUTH = new Auth("2", "1.7", "", "", "linux", "amd64", "");

    /** The server end of a connection and the context its events run on. */
    private record Accepted(NetSocket socket, Context context) {
    }

    @Inject
    Vertx vertx;

    @Inject
    ControlRegistry controls;

    @Inject
    TunnelRegistry tunnels;

    @Inject
    TunneldConfig config;

    @Inject
    ClientAuthenticator authenticator;

    @Inject
    AuthThrottle throttle;

    @Inject
    TunnelOpener opener;

    @Inject
    SessionDirectory sessions;

    @Inject
    ForeignProxies foreign;

    @Inject
    TunnelMetrics metrics;

    private NetServer server;
    private final BlockingQueue<Accepted> accepted = new LinkedBlockingQueue<>();
    private final List<Socket> clients = new ArrayList<>();

    @BeforeEach
    void listen() throws Exception {
        server = await(vertx.createNetServer()
                .connectHandler(socket -> accepted.add(new Accepted(socket, Vertx.currentContext())))
                .listen(0, "127.0.0.1"));
    }

    @AfterEach
    void closeConnections() throws Exception {
        for (Socket client : clients) {
            client.close();
        }
        await(server.close());
    }

    @Test
    void aTunnelOpenedWhileTheSessionShutsDownOnAnotherThreadIsClosedWithIt() throws Exception {
        Socket client = new Socket(InetAddress.getLoopbackAddress(), server.actualPort());
        clients.add(client);
        Accepted connection = accepted.poll(5, TimeUnit.SECONDS);
        AtomicReference<Control> session = new AtomicReference<>();
        CompletableFuture<Void> shutDownMeanwhile = new CompletableFuture<>();
        // The first NewTunnel is written while the session is shut down on another thread:
        // the sweep, or a new connection resuming the id, can do that at any moment.
        NetSocketInternal socket = Interposed.netSocket((NetSocketInternal) connection.socket(), (method, args, proceed) -> {
            if (method.getName().equals("write") && args[0].toString().contains("\"NewTunnel\"")
                    && !shutDownMeanwhile.isDone()) {
                Thread other = new Thread(() -> session.get().shutdown("shut down by another thread"));
                other.start();
                other.join();
                shutDownMeanwhile.complete(null);
            }
            return proceed.call();
        });
        Context context = connection.context();
        onContext(context, () -> controls.open(socket, new FrameWriter(socket, context, 64), AUTH)
                .onSuccess(opened -> session.set(opened.orElseThrow())));
        // AuthResp and ReqProxy are out, so the NewTunnels are written as they are sent.
        InputStream in = client.getInputStream();
        assertEquals("AuthResp", WireFrames.read(in).type());
        assertEquals("ReqProxy", WireFrames.read(in).type());

        onContext(context, () -> session.get().onMessage(new ReqTunnel("r1", "http+https", "", "race", "", 0)));
        shutDownMeanwhile.get(5, TimeUnit.SECONDS);
        onContext(context, () -> { }); // the opening has run to its end on the session's context

        assertNull(tunnels.lookupHttp(Protocol.HTTP, "race.localhost"), "the http tunnel is closed with its session");
        assertNull(tunnels.lookupHttp(Protocol.HTTPS, "race.localhost"), "the https tunnel is closed with its session");
    }

    @Test
    void loginsAtOnceOnTwoThreadsDoNotOvershootTheSessionLimit() throws Exception {
        int limit = config.limits().controls();
        Thread[] held = new Thread[1];
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // The Vert.x of the sessions: a login on the held thread stops when it takes the context
        // its session will run on, after it has taken its place, until the other login is done.
        Vertx holdingVertx = Interposed.of(Vertx.class, vertx, (method, args, proceed) -> {
            if (method.getName().equals("getOrCreateContext") && Thread.currentThread() == held[0]
                    && holding.getCount() > 0) {
                holding.countDown();
                release.await(5, TimeUnit.SECONDS);
            }
            return proceed.call();
        });
        ControlRegistry registry = new ControlRegistry(config, authenticator, throttle, opener, sessions, foreign,
                metrics, holdingVertx);
        for (int i = 0; i < limit - 1; i++) {
            assertTrue(login(registry).isPresent(), "session " + (i + 1) + " of " + limit);
        }

        CompletableFuture<Optional<Control>> first = new CompletableFuture<>();
        held[0] = new Thread(() -> {
            try {
                first.complete(login(registry));
            } catch (Exception e) {
                first.completeExceptionally(e);
            }
        });
        held[0].start();
        assertTrue(holding.await(5, TimeUnit.SECONDS), "the first login is under way");
        Optional<Control> second = login(registry);
        release.countDown();

        // The one that began first holds the last place from its beginning: the other is refused.
        assertEquals(Optional.empty(), second, "the login that came second is refused");
        assertTrue(first.get(5, TimeUnit.SECONDS).isPresent(), "the first takes the last place");
        assertEquals(limit, registry.controls().size());
    }

    /** An Auth on a new connection, handled on the calling thread. */
    private Optional<Control> login(ControlRegistry registry) throws Exception {
        Socket client = new Socket(InetAddress.getLoopbackAddress(), server.actualPort());
        synchronized (clients) {
            clients.add(client);
        }
        NetSocket socket = accepted.poll(5, TimeUnit.SECONDS).socket();
        return await(registry.open(socket, new FrameWriter(socket, vertx.getOrCreateContext(), 64), AUTH));
    }

    /** Runs {@code action} on {@code context} and waits until it has run. */
    private static void onContext(Context context, Runnable action) throws Exception {
        Promise<Void> done = Promise.promise();
        context.runOnContext(v -> {
            action.run();
            done.complete();
        });
        await(done.future());
    }
}
