package io.tunneld.testclient;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One ngrok 1.x message as received: the envelope's {@code Type} and its {@code Payload}.
 *
 * @param type    the {@code Type} string, {@code ""} if the envelope had none
 * @param payload the {@code Payload} object with keys exactly as on the wire, or {@code null} if the
 *                envelope had no object there
 */
public record Frame(String type, ObjectNode payload) {

    /** Returns the payload field as text, or {@code ""} if it is missing or null (Go's zero value). */
    public String str(String key) {
        JsonNode value = payload == null ? null : payload.get(key);
        return value == null || value.isNull() ? "" : value.asText();
    }
}
