package io.tunneld.tunnel;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.tunneld.auth.Principal;
import io.tunneld.config.TunneldConfig;

/**
 * What each session id held, so a client that reconnects with its old ClientId gets its
 * random URLs and TCP ports back. Keyed by id and bound to the principal that held it; unlike
 * 1.x it never falls back to the client's IP address, which would let users behind one NAT
 * inherit each other's URLs. What a live session holds is kept for as long as it lives; the
 * affinity time counts from its end. There are at most a few entries per allowed session, and
 * when full the least recently used id that has no live session goes first.
 */
@ApplicationScoped
public class UrlAffinity {

    /** Per id: random hosts and TCP ports it held, most recent last. */
    private static final int MAX_REMEMBERED = 32;

    private static final class Memory {
        final Principal principal;
        final LinkedHashSet<String> hosts = new LinkedHashSet<>();
        final LinkedHashSet<Integer> ports = new LinkedHashSet<>();
        /** Whether a session with this id is live; if not, since when it ended. */
        boolean live = true;
        long endedNanos;

        Memory(Principal principal) {
            this.principal = principal;
        }
    }

    private final long ttlNanos;
    private final int maxEntries;
    /** Access-ordered, so the least recently used id goes first when full. */
    private final LinkedHashMap<String, Memory> byId = new LinkedHashMap<>(16, 0.75f, true);

    public UrlAffinity(TunneldConfig config) {
        this.ttlNanos = config.timeouts().urlAffinity().toNanos();
        this.maxEntries = Math.max(1024, 2 * config.limits().controls());
    }

    /** A session with this id is live, for this principal: what the id held is kept while it lives. */
    public synchronized void claim(String clientId, Principal principal) {
        Memory memory = byId.get(clientId);
        if (memory == null || !memory.principal.equals(principal)) {
            byId.put(clientId, new Memory(principal));
            trim();
        } else {
            memory.live = true;
        }
    }

    /** The session with this id ended: the affinity time starts now. */
    public synchronized void release(String clientId) {
        Memory memory = byId.get(clientId);
        if (memory != null) {
            memory.live = false;
            memory.endedNanos = System.nanoTime();
        }
    }

    /** Who last held this id, if remembered. */
    public synchronized Optional<Principal> owner(String clientId) {
        Memory memory = byId.get(clientId);
        return memory == null ? Optional.empty() : Optional.of(memory.principal);
    }

    /** Random hosts this id held, oldest first. */
    synchronized List<String> hosts(String clientId) {
        Memory memory = byId.get(clientId);
        return memory == null ? List.of() : new ArrayList<>(memory.hosts);
    }

    /** TCP ports this id held, oldest first. */
    synchronized List<Integer> ports(String clientId) {
        Memory memory = byId.get(clientId);
        return memory == null ? List.of() : new ArrayList<>(memory.ports);
    }

    synchronized void rememberHost(String clientId, String host) {
        Memory memory = byId.get(clientId);
        if (memory != null) {
            remember(memory.hosts, host);
        }
    }

    synchronized void rememberPort(String clientId, int port) {
        Memory memory = byId.get(clientId);
        if (memory != null) {
            remember(memory.ports, port);
        }
    }

    /** Forgets ids whose session ended longer ago than the affinity time. */
    public synchronized void expire() {
        long now = System.nanoTime();
        byId.values().removeIf(m -> !m.live && now - m.endedNanos > ttlNanos);
    }

    private static <T> void remember(LinkedHashSet<T> set, T value) {
        set.remove(value);
        set.add(value);
        if (set.size() > MAX_REMEMBERED) {
            set.remove(set.iterator().next());
        }
    }

    /** Forgets ended sessions, least recently used first, down to the size limit. */
    private void trim() {
        for (Iterator<Memory> it = byId.values().iterator(); it.hasNext() && byId.size() > maxEntries;) {
            if (!it.next().live) {
                it.remove();
            }
        }
    }
}
