package io.tunneld.cluster;

import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** A live session as the cluster directory holds it: the replica serving it and its owner. */
@RegisterForReflection
public record SessionEntry(@JsonProperty("r") String replica, @JsonProperty("p") String principal) {
}
