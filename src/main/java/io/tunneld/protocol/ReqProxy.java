package io.tunneld.protocol;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** Asks the client to open one more proxy connection. */
@RegisterForReflection
public record ReqProxy() implements Message {
}
