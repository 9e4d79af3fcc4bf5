package io.tunneld.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** First frame of a control connection: who the client is and which session it resumes. */
@RegisterForReflection
public record Auth(
        @JsonProperty("Version") String version,
        @JsonProperty("MmVersion") String mmVersion,
        @JsonProperty("User") String user,
        @JsonProperty("Password") String password,
        @JsonProperty("OS") String os,
        @JsonProperty("Arch") String arch,
        @JsonProperty("ClientId") String clientId) implements Message {

    public Auth {
        version = Message.orEmpty(version);
        mmVersion = Message.orEmpty(mmVersion);
        user = Message.orEmpty(user);
        password = Message.orEmpty(password);
        os = Message.orEmpty(os);
        arch = Message.orEmpty(arch);
        clientId = Message.orEmpty(clientId);
    }

    /** Never print the token or password; the rest as {@link PeerText}. */
    @Override
    public String toString() {
        return "Auth[version=" + PeerText.printable(version) + ", mmVersion=" + PeerText.printable(mmVersion)
                + ", os=" + PeerText.printable(os) + ", arch=" + PeerText.printable(arch) + "]";
    }
}
