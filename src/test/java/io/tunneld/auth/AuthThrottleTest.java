package io.tunneld.auth;

import static io.tunneld.testsupport.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import javax.net.ssl.SSLSocket;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.tunneld.config.TunneldConfig;
import io.tunneld.session.ControlRegistry;
import io.tunneld.testclient.Frame;
import io.tunneld.testclient.NgrokTestClient;
import io.tunneld.testclient.TlsDialer;
import io.tunneld.testclient.WireFrames;
import io.tunneld.testsupport.LogRecords;
import io.tunneld.testsupport.Metrics;
import io.tunneld.testsupport.TunneldTest;

/**
 * Token guessing is slowed down per source and per ClientId, without refusing right tokens.
 * Each test guesses from a loopback address of its own (Linux routes all of 127/8 to
 * loopback), so that the sources other tests use stay clean.
 */
@QuarkusTest
class AuthThrottleTest extends TunneldTest {

    private static final String THROTTLED = "tunneld_auth_throttled_total";
    private static final String HELD = "tunneld_auth_held";
    private static final String INVALID = "Authentication failed: invalid auth token";

    @Inject
    TunneldConfig config;

    @Inject
    ControlRegistry controls;

    private int budget;

    @BeforeEach
    void readBudget() {
        budget = config.auth().failureBudget();
    }

    @Test
    void wrongTokensFromOneSourceUseUpItsBudgetThenTheirAnswersAreHeld() throws Exception {
        String source = "127.0.0.3";
        double throttled = Metrics.value(THROTTLED);
        try (LogRecords log = new LogRecords()) {
            for (int i = 1; i < budget; i++) {
                assertEquals(INVALID, authFrom(source, "guess-" + i, "").str("Error"));
            }
            String last = authFrom(source, "guess-" + budget, "").str("Error");
            assertTrue(last.startsWith(INVALID) && last.contains("too many failures"), last);
            assertEquals(throttled, Metrics.value(THROTTLED), "answers within the budget are not held");

            try (NgrokTestClient c = from(source)) {
                long start = System.nanoTime();
                String held = c.auth("guess-after-budget", "").str("Error");
                long tookMs = Duration.ofNanos(System.nanoTime() - start).toMillis();
                assertTrue(held.contains("too many failures"), held);
                assertTrue(tookMs >= 100, "held at least its first penalty of 100 ms: " + tookMs + " ms");
                assertTrue(c.awaitClosed(WAIT), "refused and closed");
            }
            assertEquals(throttled + 1, Metrics.value(THROTTLED));
            List<String> lines = log.lines().stream().map(LogRecords.Line::text).toList();
            assertTrue(lines.stream().anyMatch(l -> l.contains(budget + " wrong tokens from " + source)), "" + lines);
            assertTrue(lines.stream().noneMatch(l -> l.contains("guess-")), "no token in the logs: " + lines);
        }
    }

    @Test
    void aRightTokenFromAPenalisedSourceIsHeldThenAcceptedWithWhatFollowedIt() throws Exception {
        String source = "127.0.0.4";
        penalise(source);
        double throttled = Metrics.value(THROTTLED);
        try (SSLSocket s = TlsDialer.trustAll().from(source).dial("127.0.0.1", ports.tunnel())) {
            // A Ping right behind the Auth: it must wait for the session, not be lost.
            Map<String, Object> auth = new LinkedHashMap<>(Map.of("Version", "2", "User", "tunneld-test-token-1"));
            byte[] both = concat(WireFrames.encode("Auth", auth), WireFrames.encode("Ping", Map.of()));
            OutputStream out = s.getOutputStream();
            out.write(both);
            out.flush();
            InputStream in = s.getInputStream();
            Frame resp = WireFrames.read(in);
            assertEquals("AuthResp", resp.type());
            assertEquals("", resp.str("Error"), "a right token is never refused");
            Set<String> next = new HashSet<>(List.of(WireFrames.read(in).type(), WireFrames.read(in).type()));
            assertEquals(Set.of("ReqProxy", "Pong"), next);
        }
        assertEquals(throttled + 1, Metrics.value(THROTTLED), "it was held");
    }

    @Test
    void aRightTokenFromACleanSourceIsNotHeld() throws Exception {
        penalise("127.0.0.5");
        double throttled = Metrics.value(THROTTLED);
        try (NgrokTestClient c = from("127.0.0.6")) {
            assertEquals("", c.auth("tunneld-test-token-1", "").str("Error"));
        }
        assertEquals(throttled, Metrics.value(THROTTLED));
    }

    @Test
    void aHeldAnswerIsDroppedWhenItsConnectionCloses() throws Exception {
        String source = "127.0.0.7";
        penalise(source);
        // Eight more failures, sent together (each held 100 ms), make the hold longer than this
        // test takes to close the connection (tunneld.auth.max-delay is 20 s in tests).
        CompletableFuture.allOf(IntStream.range(0, 8).mapToObj(i -> CompletableFuture.runAsync(() -> {
            try {
                authFrom(source, "more-guesses", "");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        })).toArray(CompletableFuture[]::new)).join();
        double throttled = Metrics.value(THROTTLED);
        String id = "held-then-closed-" + System.nanoTime();
        try (NgrokTestClient c = from(source)) {
            c.sendAuth("tunneld-test-token-1", id);
            eventually(() -> Metrics.value(THROTTLED) == throttled + 1);
            assertEquals(1, Metrics.value(HELD), "its answer is being held");
        }
        eventually(() -> Metrics.value(HELD) == 0);
        assertTrue(controls.controls().stream().noneMatch(c -> c.id().equals(id)),
                "no session was opened for a connection that had gone");
    }

    @Test
    void failuresPresentingOneClientIdFromManySourcesHoldAnswersForThatId() throws Exception {
        String id = "targeted-" + System.nanoTime();
        for (int i = 1; i <= budget; i++) {
            assertTrue(authFrom("127.0.1." + i, "guess", id).str("Error").startsWith(INVALID));
        }
        double throttled = Metrics.value(THROTTLED);
        try (NgrokTestClient c = from("127.0.0.8")) {
            Frame resp = c.auth("tunneld-test-token-1", id);
            assertEquals("", resp.str("Error"));
            assertEquals(id, resp.str("ClientId"), "the owner resumes its id");
        }
        assertEquals(throttled + 1, Metrics.value(THROTTLED), "held: the id is under penalty");
        try (NgrokTestClient c = from("127.0.0.9")) {
            assertEquals("", c.auth("tunneld-test-token-1", "").str("Error"));
        }
        assertEquals(throttled + 1, Metrics.value(THROTTLED), "without that id, not held");
    }

    /** Uses up the source's budget of wrong tokens. */
    private void penalise(String source) throws IOException {
        for (int i = 0; i < budget; i++) {
            assertTrue(authFrom(source, "wrong", "").str("Error").startsWith(INVALID));
        }
    }

    private Frame authFrom(String source, String token, String clientId) throws IOException {
        try (NgrokTestClient c = from(source)) {
            return c.auth(token, clientId);
        }
    }

    private NgrokTestClient from(String source) throws IOException {
        NgrokTestClient c = NgrokTestClient.connect("127.0.0.1", ports.tunnel(), TlsDialer.trustAll().from(source));
        c.setAutoProxy(false);
        return c;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
