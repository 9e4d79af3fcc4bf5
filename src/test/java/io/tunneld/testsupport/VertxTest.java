package io.tunneld.testsupport;

import static io.tunneld.testsupport.EventLoops.await;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import io.netty.channel.EventLoop;
import io.vertx.core.Vertx;

/**
 * A test with a Vert.x of its own, made before and closed after each test, for driving one
 * piece (a listener, the pool, a relay) without the server around it.
 */
public abstract class VertxTest {

    protected Vertx vertx;

    @BeforeEach
    void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void closeVertx() throws Exception {
        await(vertx.close());
    }

    /** The {@code i}th event loop of {@link #vertx}: a default Vert.x has at least two. */
    protected EventLoop loop(int i) {
        return EventLoops.of(vertx).get(i);
    }
}
