package io.tunneld.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;


import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.tunneld.testclient.Frame;
import io.tunneld.testclient.NgrokTestClient;
import io.tunneld.testsupport.TunneldTest;

/** Which URL a ReqTunnel gets, and the errors 1.x clients expect. */
@QuarkusTest
class TunnelUrlTest extends TunneldTest {

    @Test
    void httpPlusHttpsGivesHttpThenHttpsEachWithItsOwnPort() throws Exception {
        try (NgrokTestClient c = authed("tunneld-test-token-1")) {
            List<Frame> got = c.reqTunnel("http+https", "", "Both", "", 0);
            assertEquals(2, got.size());
            assertEquals("http://both.localhost:" + ports.http(), got.get(0).str("Url"));
            assertEquals("http", got.get(0).str("Protocol"));
            assertEquals("https://both.localhost:" + ports.https(), got.get(1).str("Url"));
            assertEquals("https", got.get(1).str("Protocol"));
            assertEquals(got.get(0).str("ReqId"), got.get(1).str("ReqId"));
            assertTrue(!got.get(0).str("ReqId").isEmpty());
        }
    }

    @Test
    void httpsPlusHttpIsAnsweredInTheOrderAsked() throws Exception {
        try (NgrokTestClient c = authed("tunneld-test-token-1")) {
            List<Frame> got = c.reqTunnel("https+http", "", "", "", 0);
            assertEquals("https", got.get(0).str("Protocol"));
            assertEquals("http", got.get(1).str("Protocol"));
            String host = got.get(0).str("Url").replaceFirst("https://", "").replaceFirst(":\\d+$", "");
            assertEquals("http://" + host + ":" + ports.http(), got.get(1).str("Url"), "both share one random host");
        }
    }

    @Test
    void randomSubdomainsAreLongAndDistinct() throws Exception {
        try (NgrokTestClient c = authed("tunneld-test-token-1")) {
            String a = c.reqTunnel("http", "", "", "", 0).get(0).str("Url");
            String b = c.reqTunnel("http", "", "", "", 0).get(0).str("Url");
            assertTrue(a.matches("http://[a-z0-9]{12}\\.localhost:" + ports.http()), a);
            assertTrue(!a.equals(b));
        }
    }

    @Test
    void hostnameUnderAnAllowedDomainIsRegisteredLowerCased() throws Exception {
        try (NgrokTestClient c = authed("tunneld-test-token-1")) {
            Frame f = c.reqTunnel("http", "My-App.LocalHost", "", "", 0).get(0);
            assertEquals("", f.str("Error"));
            assertEquals("http://my-app.localhost:" + ports.http(), f.str("Url"));
        }
    }

    @Test
    void hostnameOutsideTheAllowedDomainsIsRefusedAndTheEmptySessionClosed() throws Exception {
        try (NgrokTestClient c = authed("tunneld-test-token-1")) {
            Frame f = c.reqTunnel("http", "www.example.com", "", "", 0).get(0);
            assertTrue(f.str("Error").contains("not allowed"), f.str("Error"));
            assertEquals("", f.str("ReqId"), "1.x sends errors with an empty ReqId");
            assertEquals("", f.str("Url"));
            assertTrue(c.awaitClosed(WAIT), "a session with no tunnel is closed after an error");
        }
    }

    @Test
    void invalidSubdomainsAreRefused() throws Exception {
        for (String bad : new String[] { "bad_sub", "-dash", "a..b", "x".repeat(64), "sp ace", "uni\u00e9",
                "a.b", "canary.x", "x.canary", "demo\u0000", "\u0000demo", "demo\t", "\u212Aelvin" }) {
            try (NgrokTestClient c = authed("tunneld-test-token-1")) {
                Frame f = c.reqTunnel("http", "", bad, "", 0).get(0);
                assertTrue(f.str("Error").startsWith("Invalid subdomain"), bad + ": " + f.str("Error"));
            }
        }
    }

    @Test
    void aTakenUrlIsAlreadyRegistered() throws Exception {
        try (NgrokTestClient owner = authed("tunneld-test-token-1"); NgrokTestClient other = authed("tunneld-test-token-1")) {
            assertEquals("", owner.reqTunnel("http", "", "taken", "", 0).get(0).str("Error"));
            Frame f = other.reqTunnel("http+https", "", "taken", "", 0).get(0);
            assertEquals("The tunnel http://taken.localhost:" + ports.http() + " is already registered.", f.str("Error"));
            assertTrue(other.awaitClosed(WAIT));
            // A hostname is the same name as a subdomain: no squatting around it.
            try (NgrokTestClient third = authed("tunneld-test-token-1")) {
                assertTrue(third.reqTunnel("http", "taken.localhost", "", "", 0).get(0).str("Error")
                        .contains("already registered"));
            }
        }
    }

    @Test
    void aFailedMultiProtocolRequestLeavesNothingBehind() throws Exception {
        try (NgrokTestClient https = authed("tunneld-test-token-1"); NgrokTestClient both = authed("tunneld-test-token-1"); NgrokTestClient later = authed("tunneld-test-token-1")) {
            assertEquals("", https.reqTunnel("https", "", "half", "", 0).get(0).str("Error"));
            assertTrue(both.reqTunnel("http+https", "", "half", "", 0).get(0).str("Error").contains("already registered"));
            assertEquals("", later.reqTunnel("http", "", "half", "", 0).get(0).str("Error"),
                    "the http half of the failed request was rolled back");
        }
    }

    @Test
    void anErrorKeepsASessionThatHasTunnels() throws Exception {
        try (NgrokTestClient c = authed("tunneld-test-token-1")) {
            assertEquals("", c.reqTunnel("http", "", "keeper", "", 0).get(0).str("Error"));
            assertTrue(!c.reqTunnel("udp", "", "", "", 0).get(0).str("Error").isEmpty());
            c.ping();
            assertNotNull(c.awaitFrame("Pong", WAIT));
        }
    }

    @Test
    void unsupportedProtocolIsRefusedAsOneXSaysIt() throws Exception {
        try (NgrokTestClient c = authed("tunneld-test-token-1")) {
            assertEquals("Protocol udp is not supported", c.reqTunnel("udp", "", "", "", 0).get(0).str("Error"));
        }
    }

    @Test
    void aProtocolNameIsAWireNameExactlyNothingTrimmedOrFolded() throws Exception {
        try (NgrokTestClient c = authed("tunneld-test-token-1")) {
            assertEquals("", c.reqTunnel("http", "", "exact-proto", "", 0).get(0).str("Error"));
            for (String bad : new String[] { "http\u0000", "\u0000http", "http\u0001", "http\t", "http\n",
                    "https\u0000", "tcp\u0000", "http+https\u0000", " http", "http ", "HTTP", "Https", "http+",
                    "+http", "", "http++https" }) {
                String error = c.reqTunnel(bad, "", "", "", 0).get(0).str("Error");
                assertTrue(error.startsWith("Protocol ") && error.endsWith(" is not supported"), bad + ": " + error);
            }
            assertEquals("Protocol http? is not supported", c.reqTunnel("http\n", "", "", "", 0).get(0).str("Error"),
                    "the name is shown printable");
            c.ping();
            assertNotNull(c.awaitFrame("Pong", WAIT), "the session with its tunnel stays");
        }
    }

    @Test
    void aHostnameIsCheckedAsSentBeforeItIsLowerCased() throws Exception {
        try (NgrokTestClient c = authed("tunneld-test-token-1")) {
            assertEquals("", c.reqTunnel("http", "", "keeps-session", "", 0).get(0).str("Error"));
            // U+212A KELVIN SIGN lower-cases to an ASCII 'k'.
            for (String bad : new String[] { "\u212Aanary.localhost", "app.localhost\u0000", "\tapp.localhost",
                    "app.localhost." }) {
                String error = c.reqTunnel("http", bad, "", "", 0).get(0).str("Error");
                assertTrue(error.startsWith("Invalid hostname"), bad + ": " + error);
            }
        }
    }

    @Test
    void tcpTunnelsUseTheConfiguredRange() throws Exception {
        try (NgrokTestClient c = authed("tunneld-test-token-1")) {
            assertEquals("tcp://localhost:31234", c.reqTunnel("tcp", "", "", "", 31234).get(0).str("Url"));
            String any = c.reqTunnel("tcp", "", "", "", 0).get(0).str("Url");
            int port = Integer.parseInt(any.substring(any.lastIndexOf(':') + 1));
            assertTrue(port >= 31000 && port <= 31999, any);
            assertEquals("The tunnel tcp://localhost:31234 is already registered.",
                    c.reqTunnel("tcp", "", "", "", 31234).get(0).str("Error"));
            assertTrue(c.reqTunnel("tcp", "", "", "", 22).get(0).str("Error").startsWith("Port 22 is not allowed"));
        }
    }

    @Test
    void severalNamedTunnelsInOneSession() throws Exception {
        try (NgrokTestClient c = authed("tunneld-test-token-1")) {
            assertEquals("http://svc-a.localhost:" + ports.http(), c.reqTunnel("http", "", "svc-a", "", 0).get(0).str("Url"));
            assertEquals(2, c.reqTunnel("http+https", "", "svc-b", "", 0).size());
            assertTrue(c.reqTunnel("tcp", "", "", "", 0).get(0).str("Url").startsWith("tcp://localhost:"));
        }
    }

    @Test
    void reconnectingWithTheOldIdGetsTheSameUrlsAndPort() throws Exception {
        String id;
        String http;
        String tcp;
        try (NgrokTestClient c = authed("tunneld-test-token-1")) {
            id = c.clientId();
            http = c.reqTunnel("http+https", "", "", "", 0).get(0).str("Url");
            tcp = c.reqTunnel("tcp", "", "", "", 0).get(0).str("Url");
        }
        try (NgrokTestClient again = connect()) {
            assertEquals(id, again.auth("tunneld-test-token-1", id).str("ClientId"));
            assertEquals(http, again.reqTunnel("http+https", "", "", "", 0).get(0).str("Url"));
            assertEquals(tcp, again.reqTunnel("tcp", "", "", "", 0).get(0).str("Url"));
        }
    }

    @Test
    void tooManyTunnelsForOneClientIsRefused() throws Exception {
        try (NgrokTestClient c = authed("tunneld-test-token-1")) {
            for (int i = 0; i < 8; i++) {
                assertEquals(2, c.reqTunnel("http+https", "", "many" + i, "", 0).size());
            }
            Frame f = c.reqTunnel("http", "", "many-more", "", 0).get(0);
            assertTrue(f.str("Error").startsWith("Too many tunnels"), f.str("Error"));
        }
    }
}
