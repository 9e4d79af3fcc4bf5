package io.tunneld.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.tunneld.testclient.NgrokTestClient;
import io.tunneld.testsupport.EchoServer;
import io.tunneld.testsupport.LogRecords;
import io.tunneld.testsupport.PublicClient;
import io.tunneld.testsupport.TunneldTest;

/** Tokens, basic-auth passwords, Authorization headers and whole session ids never reach a log. */
@QuarkusTest
class NoSecretsInLogsTest extends TunneldTest {

    @Test
    void secretsNeverAppearInAnyLogRecord() throws Exception {
        LogRecords records = new LogRecords();
        String clientId;
        try (EchoServer echo = new EchoServer()) {
            try (NgrokTestClient bad = connect()) {
                bad.auth("SECRET-TOKEN-never-logged", "");
            }
            try (NgrokTestClient c = authed("tunneld-test-token-2")) {
                clientId = c.clientId();
                forwardHttp(c, "private", "alice:hunter2-secret", echo.port());
                String host = "private.localhost:" + ports.http();
                String wrong = "Basic " + Base64.getEncoder().encodeToString("alice:wrong-guess-secret".getBytes());
                PublicClient.get(ports.http(), host, "/", "Authorization: " + wrong);
                String right = "Basic " + Base64.getEncoder().encodeToString("alice:hunter2-secret".getBytes());
                String request = "GET / HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: " + right + "\r\n\r\n";
                assertEquals(request, PublicClient.echo(ports.http(), request));
            }
            Thread.sleep(300);
        } finally {
            records.close();
        }
        List<String> lines = records.lines().stream().map(LogRecords.Line::text).toList();
        assertTrue(lines.size() >= 3, "the actions above were logged: " + lines);
        String all = String.join("\n", lines);
        for (String secret : new String[] { "SECRET-TOKEN-never-logged", "tunneld-test-token-2", "hunter2-secret",
                "wrong-guess-secret", Base64.getEncoder().encodeToString("alice:hunter2-secret".getBytes()),
                clientId }) {
            assertTrue(!all.contains(secret), "a log record contains " + secret + ":\n" + all);
        }
    }
}
