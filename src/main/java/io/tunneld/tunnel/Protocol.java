package io.tunneld.tunnel;

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

    /**
     * The protocol with exactly that wire name. Case matters, as in ngrokd 1.7: every 1.x
     * client sends lower case, and a lenient match only widens what a peer can send.
     */
    public static Optional<Protocol> of(String name) {
        for (Protocol p : values()) {
            if (p.wireName.equals(name)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
