package io.tunneld.protocol;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vertx.core.buffer.Buffer;

/**
 * Encodes messages as 1.x frames ({@code int64 LE length + {"Type":..,"Payload":{..}}}) and
 * decodes frame bodies. Writes compact JSON in Go's field order, so frames match what the Go
 * programs send byte for byte; reads any valid JSON with Go's leniency (keys match
 * case-insensitively, unknown keys are ignored, missing keys are zero values) and Go's
 * strictness about types: a number, boolean or array where Go expects a string (or a string,
 * fraction or boolean where it expects an integer) makes the frame malformed, where Jackson
 * would by default convert it ({@code "Subdomain":123} into "123").
 */
public final class FrameCodec {

    /** Length of the little-endian int64 length header. */
    public static final int HEADER_LENGTH = 8;

    private static final Map<String, Class<? extends Message>> TYPES = Map.of(
            "Auth", Auth.class,
            "AuthResp", AuthResp.class,
            "ReqTunnel", ReqTunnel.class,
            "NewTunnel", NewTunnel.class,
            "ReqProxy", ReqProxy.class,
            "RegProxy", RegProxy.class,
            "StartProxy", StartProxy.class,
            "Ping", Ping.class,
            "Pong", Pong.class);

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .withCoercionConfig(LogicalType.Textual, c -> c
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .withCoercionConfig(LogicalType.Integer, c -> c
                    .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .build();

    private FrameCodec() {
    }

    /**
     * Encodes and decodes one frame of every type, so that Jackson builds its serializers and
     * deserializers now: built at the first frame instead, on an event loop of a loaded
     * machine, they stalled both loops for seconds. Call it once at start.
     */
    public static void prepare() {
        for (Message sample : List.of(new Auth("", "", "", "", "", "", ""), new AuthResp("", "", "", ""),
                new ReqTunnel("", "", "", "", "", 0), new NewTunnel("", "", "", ""), new ReqProxy(), new RegProxy(""),
                new StartProxy("", ""), new Ping(), new Pong())) {
            Buffer frame = encode(sample);
            try {
                decode(frame.getBuffer(HEADER_LENGTH, frame.length()));
            } catch (ProtocolException e) {
                throw new IllegalStateException("a frame of ours does not decode: " + e.getMessage(), e);
            }
        }
    }

    /** The whole frame, header and body, as one buffer (so it can go out as one TLS record). */
    public static Buffer encode(Message message) {
        byte[] json;
        try {
            json = MAPPER.writeValueAsBytes(new Outgoing(message.getClass().getSimpleName(), message));
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode " + message.getClass().getSimpleName(), e);
        }
        Buffer frame = Buffer.buffer(HEADER_LENGTH + json.length);
        frame.appendLongLE(json.length);
        frame.appendBytes(json);
        return frame;
    }

    /** Decodes one frame body (the JSON after the header). */
    public static Message decode(Buffer body) throws ProtocolException {
        Incoming envelope;
        try {
            envelope = MAPPER.readValue(body.getBytes(), Incoming.class);
        } catch (IOException e) {
            throw new ProtocolException("malformed frame JSON", e);
        }
        if (envelope == null || envelope.type() == null) {
            throw new ProtocolException("frame without Type");
        }
        Class<? extends Message> type = TYPES.get(envelope.type());
        if (type == null) {
            throw new ProtocolException("unknown frame Type \"" + PeerText.printable(envelope.type()) + '"');
        }
        JsonNode payload = envelope.payload();
        // 1.x refuses a frame without Payload; treating it as {} is harmless.
        if (payload == null || payload.isNull()) {
            payload = MAPPER.createObjectNode();
        }
        if (!payload.isObject()) {
            throw new ProtocolException(envelope.type() + " Payload is not an object");
        }
        try {
            return MAPPER.treeToValue(payload, type);
        } catch (IOException | IllegalArgumentException e) {
            throw new ProtocolException("malformed " + envelope.type() + " payload", e);
        }
    }

    /** {@code {"Type":..,"Payload":..}} as written. */
    @RegisterForReflection
    @JsonPropertyOrder({ "Type", "Payload" })
    record Outgoing(@JsonProperty("Type") String type, @JsonProperty("Payload") Message payload) {
    }

    /** {@code {"Type":..,"Payload":..}} as read; the payload is mapped once its type is known. */
    @RegisterForReflection
    record Incoming(@JsonProperty("Type") String type, @JsonProperty("Payload") JsonNode payload) {
    }
}
