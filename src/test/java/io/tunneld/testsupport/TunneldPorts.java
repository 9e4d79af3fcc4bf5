package io.tunneld.testsupport;

import io.tunneld.server.Listeners;

/** The ports the server under test actually bound (all configured as 0). */
public record TunneldPorts(int tunnel, int http, int https) {

    public static TunneldPorts of(Listeners listeners) {
        return new TunneldPorts(port(listeners, "tunnel"), port(listeners, "http"), port(listeners, "https"));
    }

    private static int port(Listeners listeners, String name) {
        return listeners.named(name).map(l -> l.port()).orElse(-1);
    }
}
