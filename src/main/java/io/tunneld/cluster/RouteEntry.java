package io.tunneld.cluster;

import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A route as the cluster directory holds it: which replica serves it, for which session, the
 * URL clients see, and for HTTP(S) tunnels with basic auth the verifier of the expected
 * {@code Authorization} header (an HMAC under the cluster secret, never the password).
 *
 * @param replica   id of the replica holding the session
 * @param clientId  the session's ClientId
 * @param instance  which session under that id
 * @param principal who owns the session
 * @param url       public URL
 * @param auth      hex HMAC of the expected Authorization header, or empty when open to all
 */
@RegisterForReflection
public record RouteEntry(
        @JsonProperty("r") String replica,
        @JsonProperty("c") String clientId,
        @JsonProperty("g") String instance,
        @JsonProperty("p") String principal,
        @JsonProperty("u") String url,
        @JsonProperty("a") String auth) {

    public RouteEntry {
        auth = auth == null ? "" : auth;
    }
}
