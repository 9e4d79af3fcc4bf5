package io.tunneld.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** Sent on a proxy connection when a public connection is joined to it; raw bytes follow. */
@RegisterForReflection
public record StartProxy(
        @JsonProperty("Url") String url,
        @JsonProperty("ClientAddr") String clientAddr) implements Message {

    public StartProxy {
        url = Message.orEmpty(url);
        clientAddr = Message.orEmpty(clientAddr);
    }
}
