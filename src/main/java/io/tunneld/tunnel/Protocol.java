package io.tunneld.tunnel;

import java.util.Locale;
import java.util.Optional;

/** The kinds of tunnel a 1.x client can ask for, by their wire names. */
public enum Protocol {
    HTTP("http"), HTTPS("https"), TCP("tcp");

    private final String wireName;

    Protocol(String wireName) {
        this.wireName = wireName;
    }

    /** As on the wire and in URLs: {@code http}, {@code https}, {@code tcp}. */
    public String wireName() {
        return wireName;
    }

    /** The protocol with that wire name, case-insensitively. */
    public static Optional<Protocol> of(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (Protocol p : values()) {
            if (p.wireName.equals(lower)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
