package io.tunneld.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;


import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.tunneld.testclient.NgrokTestClient;
import io.tunneld.testsupport.EchoServer;
import io.tunneld.testsupport.PublicClient;
import io.tunneld.testsupport.TunneldTest;

/** Tokens, basic-auth passwords, Authorization headers and whole session ids never reach a log. */
@QuarkusTest
class NoSecretsInLogsTest extends TunneldTest {

    @Test
    void secretsNeverAppearInAnyLogRecord() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                String text = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
                if (record.getThrown() != null) {
                    StringWriter trace = new StringWriter();
                    record.getThrown().printStackTrace(new PrintWriter(trace));
                    text += trace;
                }
                lines.add(text);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        capture.setLevel(Level.ALL);
        Logger root = Logger.getLogger("");
        root.addHandler(capture);
        String clientId;
        try (EchoServer echo = new EchoServer()) {
            try (NgrokTestClient bad = connect()) {
                bad.auth("SECRET-TOKEN-never-logged", "");
            }
            try (NgrokTestClient c = authed("test-token-2")) {
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
            root.removeHandler(capture);
        }
        assertTrue(lines.size() >= 3, "the actions above were logged: " + lines);
        String all = String.join("\n", lines);
        for (String secret : new String[] { "SECRET-TOKEN-never-logged", "test-token-2", "hunter2-secret",
                "wrong-guess-secret", Base64.getEncoder().encodeToString("alice:hunter2-secret".getBytes()),
                clientId }) {
            assertTrue(!all.contains(secret), "a log record contains " + secret + ":\n" + all);
        }
    }
}
