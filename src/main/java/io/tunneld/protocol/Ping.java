package io.tunneld.protocol;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** Heartbeat request; the client sends one every 20 s. */
@RegisterForReflection
public record Ping() implements Message {
}
