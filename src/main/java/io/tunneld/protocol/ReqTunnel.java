package io.tunneld.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** A client asks for one or more tunnels ({@code Protocol} may be "http+https"). */
@RegisterForReflection
public record ReqTunnel(
        @JsonProperty("ReqId") String reqId,
        @JsonProperty("Protocol") String protocol,
        @JsonProperty("Hostname") String hostname,
        @JsonProperty("Subdomain") String subdomain,
        @JsonProperty("HttpAuth") String httpAuth,
        @JsonProperty("RemotePort") int remotePort) implements Message {

    public ReqTunnel {
        reqId = Message.orEmpty(reqId);
        protocol = Message.orEmpty(protocol);
        hostname = Message.orEmpty(hostname);
        subdomain = Message.orEmpty(subdomain);
        httpAuth = Message.orEmpty(httpAuth);
        if (remotePort < 0 || remotePort > 0xFFFF) {
            // Go decodes RemotePort into a uint16 and fails on anything else.
            throw new IllegalArgumentException("RemotePort out of range: " + remotePort);
        }
    }

    /** HttpAuth is a password in clear: keep it out of logs; the rest as {@link PeerText}. */
    @Override
    public String toString() {
        return "ReqTunnel[reqId=" + PeerText.printable(reqId) + ", protocol=" + PeerText.printable(protocol)
                + ", hostname=" + PeerText.printable(hostname) + ", subdomain=" + PeerText.printable(subdomain)
                + ", httpAuth=" + (httpAuth.isEmpty() ? "" : "***") + ", remotePort=" + remotePort + "]";
    }
}
