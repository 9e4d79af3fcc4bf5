package io.tunneld.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** First frame of a proxy connection: which client session it belongs to. */
@RegisterForReflection
public record RegProxy(@JsonProperty("ClientId") String clientId) implements Message {

    public RegProxy {
        clientId = Message.orEmpty(clientId);
    }
}
