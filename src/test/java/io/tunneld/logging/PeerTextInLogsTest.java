package io.tunneld.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.tunneld.testclient.Frame;
import io.tunneld.testclient.NgrokTestClient;
import io.tunneld.testsupport.LogRecords;
import io.tunneld.testsupport.TunneldTest;

/**
 * Text a client sends reaches a log record (or an answer) only as one short printable line:
 * a newline sent through a JSON escape cannot forge a record, and kilobytes of it do not
 * make kilobyte lines.
 */
@QuarkusTest
class PeerTextInLogsTest extends TunneldTest {

    /** Each field starts with a marker that finds its records, then a forged record, then bulk. */
    private static String hostile(String marker) {
        return marker + "\n12:00:00.000 INFO  [i.t.s.ControlRegistry] forged\r\n" + "x".repeat(1_000);
    }

    @Test
    void authAndReqTunnelFieldsAreLoggedAsOneBoundedLine() throws Exception {
        LogRecords records = new LogRecords();
        try {
            try (NgrokTestClient c = connect()) {
                c.send("Auth", auth(hostile("peer-version"), hostile("peer-os"), hostile("peer-arch")));
                String error = c.awaitFrame("AuthResp", WAIT).str("Error");
                assertTrue(error.startsWith("Incompatible versions. Server 1.7, client peer-version?"), error);
                assertTrue(error.length() < 200 && !error.contains("\n"), "the answer repeats it printable: " + error);
                assertTrue(c.awaitClosed(WAIT));
            }
            try (NgrokTestClient c = connect()) {
                c.send("Auth", auth("2", hostile("peer-os"), hostile("peer-arch")));
                assertEquals("", c.awaitFrame("AuthResp", WAIT).str("Error"));
                Frame refused = c.reqTunnel(hostile("peer-protocol"), "", "", "", 0).get(0);
                assertTrue(refused.str("Error").matches("Protocol peer-protocol\\?[ -~]{0,70} is not supported"),
                        refused.str("Error"));
                assertTrue(c.awaitClosed(WAIT));
            }
        } finally {
            records.close();
        }
        List<String> peerLines = records.lines().stream().map(LogRecords.Line::text)
                .filter(t -> t.contains("peer-")).toList();
        assertTrue(peerLines.stream().anyMatch(t -> t.contains("peer-version")), "refusal logged: " + peerLines);
        assertTrue(peerLines.stream().anyMatch(t -> t.contains("peer-os") && t.contains("peer-arch")),
                "session opened logged: " + peerLines);
        assertTrue(peerLines.stream().anyMatch(t -> t.contains("peer-protocol")), "tunnel refusal logged: " + peerLines);
        for (String line : peerLines) {
            assertTrue(!line.contains("\n") && !line.contains("\r"), "one line: " + line);
            assertTrue(line.length() < 400, line.length() + " characters: " + line);
        }
    }

    private static Map<String, Object> auth(String version, String os, String arch) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("Version", version);
        payload.put("MmVersion", "1.7");
        payload.put("User", "tunneld-test-token-1");
        payload.put("Password", "");
        payload.put("OS", os);
        payload.put("Arch", arch);
        payload.put("ClientId", "");
        return payload;
    }
}
