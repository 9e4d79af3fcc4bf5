package io.tunneld.tls;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServerOptions;

/**
 * Keys reach BoringSSL through Netty's caching factory: without it, Netty encodes and parses
 * the key again in every handshake, and every proxy connection is a handshake.
 */
@QuarkusTest
public class ServerTlsTest {

    @Inject
    ServerTls tls;

    @Inject
    Vertx vertx;

    @Test
    void theGeneratedKeyIsHandedOverOnce() throws Exception {
        assertKeysHandedOverOnce(tls, vertx);
    }

    /** Both TLS listeners' keys go through the caching factory (also with PEM files: LimitsTest). */
    public static void assertKeysHandedOverOnce(ServerTls tls, Vertx vertx) throws Exception {
        for (NetServerOptions options : new NetServerOptions[] {
                tls.tunnelPort(new NetServerOptions()), tls.https(new NetServerOptions()) }) {
            assertInstanceOf(OpenSslCachingX509KeyManagerFactory.class,
                    options.getKeyCertOptions().getKeyManagerFactory(vertx));
        }
    }
}
