package io.tunneld.cluster;

import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A live session as the cluster directory holds it: the replica serving it, its owner, and
 * which instance of the id it is.
 */
@RegisterForReflection
public record SessionEntry(@JsonProperty("r") String replica, @JsonProperty("p") String principal,
        @JsonProperty("g") String instance) {
}
