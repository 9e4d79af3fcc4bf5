package io.tunneld.cluster;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vertx.core.buffer.Buffer;

/**
 * What replicas say to each other on the forward port, one JSON object per frame after a
 * 4-byte length. A connection opens with {@code open}: either a {@code link}, which the
 * acceptor challenges and the dialer proves with the cluster secret before sending messages
 * on it, or a {@code claim} of a parked proxy connection by its handle (an unguessable
 * capability a replica learnt over a link), answered with {@code status} and followed by the
 * joined bytes.
 *
 * <p>Messages on a link (dialer to acceptor only): {@code want} (a proxy for session
 * {@code client}, request {@code id}), {@code cancel}, {@code grant} (request {@code id} may
 * claim {@code handle} on replica {@code host}), {@code deny}, {@code parked} (a proxy of
 * session {@code client}, opened from {@code addr}, waits here under {@code handle}), {@code gone} (it closed),
 * {@code drop} (close it) and {@code return} (a granted proxy was not used).
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
record PeerFrame(String type, String kind, String from, String handle, String url, String addr,
        String challenge, String proof, Boolean ok, String reason, Long id, String client, String host) {

    /** Largest frame accepted: frames are a few hundred bytes. */
    static final int MAX_LENGTH = 16 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    static PeerFrame openLink(String from) {
        return new PeerFrame("open", "link", from, null, null, null, null, null, null, null, null, null, null);
    }

    static PeerFrame openClaim(String from, String handle, String url, String addr) {
        return new PeerFrame("open", "claim", from, handle, url, addr, null, null, null, null, null, null, null);
    }

    static PeerFrame challenge(String challenge) {
        return new PeerFrame("challenge", null, null, null, null, null, challenge, null, null, null, null, null, null);
    }

    static PeerFrame proof(String proof) {
        return new PeerFrame("proof", null, null, null, null, null, null, proof, null, null, null, null, null);
    }

    static PeerFrame status(boolean ok, String reason) {
        return new PeerFrame("status", null, null, null, null, null, null, null, ok, reason, null, null, null);
    }

    static PeerFrame want(long id, String client) {
        return message("want", id, client, null, null, null);
    }

    static PeerFrame cancel(long id, String client) {
        return message("cancel", id, client, null, null, null);
    }

    static PeerFrame grant(long id, String client, String host, String handle) {
        return message("grant", id, client, host, handle, null);
    }

    static PeerFrame deny(long id, String reason) {
        return message("deny", id, null, null, null, reason);
    }

    /** {@code source}: the address the client opened the proxy from. */
    static PeerFrame parked(String client, String handle, String source) {
        return new PeerFrame("parked", null, null, handle, null, source, null, null, null, null, null, client, null);
    }

    static PeerFrame gone(String client, String handle) {
        return message("gone", null, client, null, handle, null);
    }

    static PeerFrame drop(String handle) {
        return message("drop", null, null, null, handle, null);
    }

    static PeerFrame returned(String client, String host, String handle) {
        return message("return", null, client, host, handle, null);
    }

    private static PeerFrame message(String type, Long id, String client, String host, String handle, String reason) {
        return new PeerFrame(type, null, null, handle, null, null, null, null, null, reason, id, client, host);
    }

    /** Length and JSON, ready to write. */
    Buffer encode() {
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return Buffer.buffer(4 + json.length).appendInt(json.length).appendBytes(json);
    }

    /** A frame's JSON; fails with an exception whose message says what was wrong. */
    static PeerFrame decode(Buffer json) {
        try {
            PeerFrame frame = JSON.readValue(json.getBytes(), PeerFrame.class);
            if (frame == null || frame.type() == null) {
                throw new IllegalArgumentException("frame without type");
            }
            return frame;
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("malformed frame", e);
        }
    }
}
