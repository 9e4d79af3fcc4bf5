package io.tunneld.testclient;

import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * ngrok 1.x framing: an 8-byte little-endian int64 length, then that many bytes of JSON
 * {@code {"Type":..,"Payload":{..}}}. Encoding matches Go's {@code encoding/json} byte for byte
 * (compact, keys in the order given, Go's HTML escaping).
 */
public final class WireFrames {

    /** Length of the frame header. */
    public static final int HEADER_BYTES = 8;

    /** Largest body this client accepts; real frames are a few hundred bytes (1.x trusts any length). */
    public static final int MAX_BODY = 1 << 20;

    /** Shared mapper: compact output, insertion order of maps kept, Go-style escaping. */
    public static final ObjectMapper MAPPER = new ObjectMapper(
            new JsonFactoryBuilder().characterEscapes(new GoJsonEscapes()).build());

    private WireFrames() {
    }

    /** Encodes one frame; {@code payload} keys are written in iteration order, {@code null} means {@code {}}. */
    public static byte[] encode(String type, Map<String, Object> payload) {
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("Type", type);
        envelope.put("Payload", payload == null ? Map.of() : payload);
        try {
            return withHeader(MAPPER.writeValueAsBytes(envelope));
        } catch (IOException e) {
            throw new IllegalArgumentException("payload not serialisable: " + payload, e);
        }
    }

    /** Frames the given JSON text verbatim (UTF-8), valid or not: for negative tests. */
    public static byte[] encodeRaw(String json) {
        return withHeader(json.getBytes(StandardCharsets.UTF_8));
    }

    /** The 8-byte header claiming {@code length} body bytes; any value, for bad-length tests. */
    public static byte[] header(long length) {
        return ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(length).array();
    }

    /**
     * Reads one frame leniently: header fully, then body fully however many reads it takes.
     *
     * @throws EOFException on end of stream before the first header byte (a clean close)
     * @throws MalformedFrameException on an absurd length or a body that is not a JSON object
     * @throws IOException  on a truncated frame (the peer closed in the middle of it)
     */
    public static Frame read(InputStream in) throws IOException {
        int length = readHeader(in);
        byte[] body = in.readNBytes(length);
        if (body.length < length) {
            throw new IOException("truncated frame: body " + body.length + " of " + length + " bytes");
        }
        return parse(body, false);
    }

    /**
     * Reads one frame exactly as 1.x's {@code msg.ReadMsg} does: header fully, then the body with a
     * single {@code read}, failing if that returns fewer bytes. On an {@code SSLSocket} one read returns
     * at most one TLS record, so this fails when a peer splits a body across records. Also requires a
     * {@code Payload} key, as Go's unmarshalling of a missing payload fails.
     */
    public static Frame readGoStyle(InputStream in) throws IOException {
        int length = readHeader(in);
        byte[] body = new byte[length];
        int got = length == 0 ? 0 : in.read(body, 0, length);
        if (got < 0) {
            throw new IOException("truncated frame: end of stream after header claiming " + length + " bytes");
        }
        if (got != length) {
            throw new MalformedFrameException("Expected to read " + length + " bytes, but only read " + got);
        }
        return parse(body, true);
    }

    /** Writes header and body as two separate write+flush calls, i.e. two TLS records, like Go's WriteMsg. */
    public static void writeGoStyle(OutputStream out, byte[] frame) throws IOException {
        int headerLength = Math.min(HEADER_BYTES, frame.length);
        out.write(frame, 0, headerLength);
        out.flush();
        if (frame.length > headerLength) {
            out.write(frame, headerLength, frame.length - headerLength);
            out.flush();
        }
    }

    /** Writes bytes in chunks of {@code chunkSize}, flushing and pausing between them: split-frame tests. */
    public static void writeChunked(OutputStream out, byte[] bytes, int chunkSize, Duration pause) throws IOException {
        if (chunkSize <= 0) {
            throw new IllegalArgumentException("chunkSize must be positive");
        }
        for (int off = 0; off < bytes.length; off += chunkSize) {
            if (off > 0 && !pause.isZero()) {
                sleep(pause);
            }
            out.write(bytes, off, Math.min(chunkSize, bytes.length - off));
            out.flush();
        }
    }

    private static int readHeader(InputStream in) throws IOException {
        byte[] header = in.readNBytes(HEADER_BYTES);
        if (header.length == 0) {
            throw new EOFException("end of stream");
        }
        if (header.length < HEADER_BYTES) {
            throw new IOException("truncated frame: header " + header.length + " of 8 bytes");
        }
        long length = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (length < 0 || length > MAX_BODY) {
            throw new MalformedFrameException("absurd frame length " + length);
        }
        return (int) length;
    }

    private static Frame parse(byte[] body, boolean requirePayload) throws IOException {
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (IOException e) {
            throw new MalformedFrameException("frame body is not JSON: " + new String(body, StandardCharsets.UTF_8), e);
        }
        if (!(root instanceof ObjectNode envelope)) {
            throw new MalformedFrameException("frame body is not a JSON object: " + new String(body, StandardCharsets.UTF_8));
        }
        JsonNode payload = envelope.get("Payload");
        if (requirePayload && (payload == null || !(payload.isObject() || payload.isNull()))) {
            throw new MalformedFrameException("frame has no Payload object: " + new String(body, StandardCharsets.UTF_8));
        }
        JsonNode type = envelope.get("Type");
        return new Frame(type != null && type.isTextual() ? type.textValue() : "",
                payload instanceof ObjectNode object ? object : null);
    }

    private static byte[] withHeader(byte[] json) {
        byte[] frame = new byte[HEADER_BYTES + json.length];
        System.arraycopy(header(json.length), 0, frame, 0, HEADER_BYTES);
        System.arraycopy(json, 0, frame, HEADER_BYTES, json.length);
        return frame;
    }

    private static void sleep(Duration pause) throws InterruptedIOException {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted between chunks");
        }
    }
}
