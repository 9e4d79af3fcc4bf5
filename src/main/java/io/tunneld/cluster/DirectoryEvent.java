package io.tunneld.cluster;

import java.util.Optional;

/**
 * One change announced on the directory's channel, as the scripts write it, after its
 * version: {@code R+ key entry}, {@code R- key replica}, {@code S+ clientId entry},
 * {@code S- clientId replica}, {@code M+ replica address}, {@code M- replica}.
 *
 * @param version the directory's version with this change
 * @param kind   what changed
 * @param key    route key, ClientId or replica id
 * @param detail the new entry (JSON), the replica that held it, or the address; may be empty
 */
record DirectoryEvent(long version, Kind kind, String key, String detail) {

    /** What an event is about. */
    enum Kind {
        ROUTE_ADDED("R+"), ROUTE_REMOVED("R-"), SESSION_ADDED("S+"), SESSION_REMOVED("S-"),
        MEMBER_ADDED("M+"), MEMBER_REMOVED("M-");

        private final String tag;

        Kind(String tag) {
            this.tag = tag;
        }
    }

    /** The event a line announces, or empty if it is not one (another version's, say). */
    static Optional<DirectoryEvent> parse(String line) {
        String[] parts = line.split(" ", 4);
        if (parts.length < 3 || !parts[0].matches("[0-9]{1,18}")) {
            return Optional.empty();
        }
        for (Kind kind : Kind.values()) {
            if (kind.tag.equals(parts[1])) {
                return Optional.of(new DirectoryEvent(Long.parseLong(parts[0]), kind, parts[2],
                        parts.length > 3 ? parts[3] : ""));
            }
        }
        return Optional.empty();
    }
}
