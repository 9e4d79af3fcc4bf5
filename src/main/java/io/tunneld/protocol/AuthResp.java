package io.tunneld.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** Server's answer to {@link Auth}; a non-empty {@code Error} means the server closes. */
@RegisterForReflection
public record AuthResp(
        @JsonProperty("Version") String version,
        @JsonProperty("MmVersion") String mmVersion,
        @JsonProperty("ClientId") String clientId,
        @JsonProperty("Error") String error) implements Message {

    public AuthResp {
        version = Message.orEmpty(version);
        mmVersion = Message.orEmpty(mmVersion);
        clientId = Message.orEmpty(clientId);
        error = Message.orEmpty(error);
    }

    /** A refusal in the form 1.x sends it: every other field empty. */
    public static AuthResp refused(String error) {
        return new AuthResp("", "", "", error);
    }
}
