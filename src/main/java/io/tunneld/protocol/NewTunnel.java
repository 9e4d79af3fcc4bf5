package io.tunneld.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** Server's answer to {@link ReqTunnel}: one per protocol, or one carrying an error. */
@RegisterForReflection
public record NewTunnel(
        @JsonProperty("ReqId") String reqId,
        @JsonProperty("Url") String url,
        @JsonProperty("Protocol") String protocol,
        @JsonProperty("Error") String error) implements Message {

    public NewTunnel {
        reqId = Message.orEmpty(reqId);
        url = Message.orEmpty(url);
        protocol = Message.orEmpty(protocol);
        error = Message.orEmpty(error);
    }

    /** A failure in the form 1.x sends it: empty ReqId, Url and Protocol. */
    public static NewTunnel failed(String error) {
        return new NewTunnel("", "", "", error);
    }
}
