package io.tunneld.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;

import io.tunneld.server.Listeners;
import io.tunneld.testclient.NgrokTestClient;

/** Base of tests that talk to the server under test through its real ports. */
public abstract class TunneldTest {

    /** How long a test waits for something the server should do at once. */
    protected static final Duration WAIT = Duration.ofSeconds(5);

    @Inject
    protected Listeners listeners;

    protected TunneldPorts ports;

    @BeforeEach
    protected void resolvePorts() {
        ports = TunneldPorts.of(listeners);
    }

    /** A control connection, not yet authenticated, that opens proxies only when told to. */
    protected NgrokTestClient connect() throws IOException {
        NgrokTestClient c = NgrokTestClient.connect("127.0.0.1", ports.tunnel());
        c.setAutoProxy(false);
        return c;
    }

    /**
     * Opens an http tunnel on a client from {@link #connect()} or {@link #authed}, forwarded to
     * a local port, and from then on answers every ReqProxy (opening now the one the server
     * asked for at Auth); returns the tunnel's URL.
     */
    protected static String forwardHttp(NgrokTestClient c, String subdomain, String httpAuth, int localPort)
            throws IOException {
        c.setAutoProxy(true);
        c.openProxy();
        String url = c.reqTunnel("http", "", subdomain, httpAuth, 0).get(0).str("Url");
        c.forward(url, "127.0.0.1", localPort);
        return url;
    }

    /** A control connection authenticated with {@code token}; fails the test if refused. */
    protected NgrokTestClient authed(String token) throws IOException {
        NgrokTestClient c = connect();
        assertEquals("", c.auth(token, "").str("Error"));
        return c;
    }
}
