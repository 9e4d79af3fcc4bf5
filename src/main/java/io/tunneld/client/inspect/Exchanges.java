package io.tunneld.client.inspect;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The most recent exchanges, at most {@code capacity} of them (the oldest are forgotten), so
 * that what the inspection page holds is bounded: with bodies kept up to
 * {@link HttpTap#BODY_LIMIT} each, 100 exchanges hold at most about 13 MiB. Shared by the event
 * loops that record and the page that reads: every method holds the lock only briefly.
 */
public final class Exchanges implements Consumer<Exchange> {

    /** How many exchanges the page keeps by default. */
    public static final int DEFAULT_CAPACITY = 100;

    private final int capacity;
    private final TreeMap<Long, Exchange> byId = new TreeMap<>();
    private long version;

    public Exchanges(int capacity) {
        this.capacity = capacity;
    }

    /** Records a new exchange or the update of one still kept. */
    @Override
    public synchronized void accept(Exchange e) {
        if (!byId.containsKey(e.id()) && byId.size() >= capacity && e.id() < byId.firstKey()) {
            // An update of one already forgotten.
            return;
        }
        byId.put(e.id(), e);
        while (byId.size() > capacity) {
            byId.pollFirstEntry();
        }
        version++;
    }

    /** Changes with every exchange recorded, so that a reader can tell it has seen them all. */
    public synchronized long version() {
        return version;
    }

    /** The exchanges kept, oldest first, and the version they are of. */
    public synchronized Snapshot snapshot() {
        return new Snapshot(version, new ArrayList<>(byId.values()));
    }

    /** The exchange with this id, or {@code null} if it is not (or no longer) kept. */
    public synchronized Exchange get(long id) {
        return byId.get(id);
    }

    /** The exchanges kept at one version. */
    public record Snapshot(long version, List<Exchange> exchanges) {
    }
}
