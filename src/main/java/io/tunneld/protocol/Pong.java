package io.tunneld.protocol;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** Heartbeat answer. */
@RegisterForReflection
public record Pong() implements Message {
}
