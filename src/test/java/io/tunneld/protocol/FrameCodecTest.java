package io.tunneld.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vertx.core.buffer.Buffer;

/** The frames real 1.x programs sent (protocol-samples/wire-samples.txt) as test vectors. */
class FrameCodecTest {

    private static final Pattern GO_FRAME =
            Pattern.compile("FRAME len=(\\d+) hdr=([0-9a-f]{16}) json=(\\{.*\\})$");

    /**
     * Jackson reaches the message records by reflection, and a native executable has only the
     * reflection registered at build time: a record without it would fail there, not here.
     */
    @Test
    void everyMessageTypeIsRegisteredForReflection() {
        for (Class<?> type : Message.class.getPermittedSubclasses()) {
            assertTrue(type.isAnnotationPresent(RegisterForReflection.class), type.getName());
        }
    }

    @Test
    void goFramesDecodeAndReEncodeByteForByte() throws Exception {
        int checked = 0;
        for (String line : samples()) {
            Matcher m = GO_FRAME.matcher(line);
            if (!m.find()) {
                continue;
            }
            byte[] json = m.group(3).getBytes(StandardCharsets.UTF_8);
            assertEquals(Integer.parseInt(m.group(1)), json.length, line);
            Message message = FrameCodec.decode(Buffer.buffer(json));
            Buffer encoded = FrameCodec.encode(message);
            assertEquals(m.group(2), HexFormat.of().formatHex(encoded.getBytes(0, 8)), line);
            assertEquals(m.group(3), encoded.getString(8, encoded.length()), line);
            checked++;
        }
        assertTrue(checked >= 40, "expected the captured Go frames, found " + checked);
    }

    @Test
    void probeAndPythonFramesDecode() throws Exception {
        int checked = 0;
        for (String line : samples()) {
            String json = line.replaceFirst("^\\s*(>>|<<)\\s*", "").trim();
            if (!json.startsWith("{\"Type\"") || line.contains("FRAME") || json.contains("Bogus")) {
                continue;
            }
            Message message = FrameCodec.decode(Buffer.buffer(json));
            assertEquals(typeOf(json), message.getClass().getSimpleName(), line);
            checked++;
        }
        assertTrue(checked >= 20, "expected probe and Python frames, found " + checked);
    }

    @Test
    void pythonAuthKeepsEveryField() throws Exception {
        Auth auth = (Auth) FrameCodec.decode(Buffer.buffer("{\"Type\": \"Auth\", \"Payload\": {\"ClientId\": \"\", "
                + "\"OS\": \"darwin\", \"Arch\": \"amd64\", \"Version\": \"2\", \"MmVersion\": \"1.7\", "
                + "\"User\": \"user\", \"Password\": \"\"}}"));
        assertEquals(new Auth("2", "1.7", "user", "", "darwin", "amd64", ""), auth);
    }

    @Test
    void keysMatchCaseInsensitivelyAndMissingOnesAreZero() throws Exception {
        ReqTunnel req = (ReqTunnel) FrameCodec.decode(Buffer.buffer(
                "{\"Type\":\"ReqTunnel\",\"Payload\":{\"protocol\":\"tcp\",\"remoteport\":10001,\"Extra\":1}}"));
        assertEquals(new ReqTunnel("", "tcp", "", "", "", 10001), req);
        assertInstanceOf(Ping.class, FrameCodec.decode(Buffer.buffer("{\"Type\":\"Ping\"}")));
    }

    @Test
    void badFramesAreRefused() {
        for (String bad : List.of("{\"Type\":\"Bogus\",\"Payload\":{}}", "not json", "[]", "{}",
                "{\"Type\":\"Auth\",\"Payload\":[]}", "{\"Type\":\"Ping\",\"Payload\":{}} trailing",
                "{\"Type\":\"ReqTunnel\",\"Payload\":{\"RemotePort\":70000}}",
                "{\"Type\":\"ReqTunnel\",\"Payload\":{\"RemotePort\":-1}}")) {
            assertThrows(ProtocolException.class, () -> FrameCodec.decode(Buffer.buffer(bad)), bad);
        }
    }

    @Test
    void valuesOfAnotherJsonTypeAreRefusedAsGoRefusesThem() throws Exception {
        for (String payload : List.of("{\"Subdomain\":123}", "{\"Protocol\":true}", "{\"Hostname\":1.5}",
                "{\"Protocol\":[\"http\"]}", "{\"Protocol\":{}}", "{\"RemotePort\":\"10001\"}",
                "{\"RemotePort\":10001.0}", "{\"RemotePort\":1e4}", "{\"RemotePort\":true}")) {
            String frame = "{\"Type\":\"ReqTunnel\",\"Payload\":" + payload + "}";
            assertThrows(ProtocolException.class, () -> FrameCodec.decode(Buffer.buffer(frame)), frame);
        }
        for (String frame : List.of("{\"Type\":\"Auth\",\"Payload\":{\"Version\":2}}",
                "{\"Type\":\"RegProxy\",\"Payload\":{\"ClientId\":12345678}}", "{\"Type\":7,\"Payload\":{}}")) {
            assertThrows(ProtocolException.class, () -> FrameCodec.decode(Buffer.buffer(frame)), frame);
        }
        assertEquals(new ReqTunnel("", "", "", "", "", 0), FrameCodec.decode(Buffer.buffer(
                "{\"Type\":\"ReqTunnel\",\"Payload\":{\"Protocol\":null,\"RemotePort\":null}}")),
                "null is Go's zero value");
    }

    @Test
    void readerReassemblesFramesSplitAnywhere() {
        Buffer stream = Buffer.buffer()
                .appendBuffer(FrameCodec.encode(new Ping()))
                .appendBuffer(FrameCodec.encode(new ReqTunnel("r1", "http+https", "", "demo", "u:p", 0)))
                .appendBuffer(FrameCodec.encode(new Pong()));
        for (int chunk : new int[] { 1, 3, 8, 9, 50, stream.length() }) {
            List<Message> got = new ArrayList<>();
            FrameReader reader = new FrameReader(4096, got::add, e -> {
                throw new AssertionError(e);
            });
            for (int i = 0; i < stream.length(); i += chunk) {
                reader.handle(stream.getBuffer(i, Math.min(stream.length(), i + chunk)));
            }
            assertEquals(List.of(new Ping(), new ReqTunnel("r1", "http+https", "", "demo", "u:p", 0), new Pong()),
                    got, "chunk " + chunk);
        }
    }

    @Test
    void readerRefusesAbsurdLengthsBeforeReadingThem() {
        for (long length : new long[] { 0, -1, 4097, Long.MAX_VALUE }) {
            List<ProtocolException> errors = new ArrayList<>();
            List<Message> got = new ArrayList<>();
            FrameReader reader = new FrameReader(4096, got::add, errors::add);
            reader.handle(Buffer.buffer().appendLongLE(length));
            reader.handle(FrameCodec.encode(new Ping()));
            assertEquals(1, errors.size(), "length " + length);
            assertTrue(got.isEmpty(), "nothing is read after an error");
        }
    }

    @Test
    void secretsStayOutOfToString() {
        assertTrue(!new Auth("2", "1.7", "s3cret-token", "pw", "linux", "amd64", "").toString().contains("s3cret"));
        assertTrue(!new ReqTunnel("r", "http", "", "d", "user:hunter2", 0).toString().contains("hunter2"));
    }

    private static String typeOf(String json) {
        Matcher m = Pattern.compile("\"Type\":\\s*\"(\\w+)\"").matcher(json);
        assertTrue(m.find(), json);
        return m.group(1);
    }

    private static List<String> samples() throws IOException {
        try (InputStream in = FrameCodecTest.class.getResourceAsStream("/protocol-samples/wire-samples.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }
}
