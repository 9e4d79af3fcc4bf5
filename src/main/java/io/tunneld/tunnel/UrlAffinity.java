package io.tunneld.tunnel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.tunneld.auth.Principal;
import io.tunneld.config.TunneldConfig;

/**
 * What each session id held, so a client that reconnects with its old ClientId gets its
 * random URLs and TCP ports back. Keyed by id and bound to the principal that held it; unlike
 * 1.x it never falls back to the client's IP address, which would let users behind one NAT
 * inherit each other's URLs. Entries expire, and there are at most a few per allowed session.
 */
@ApplicationScoped
public class UrlAffinity {

    /** Per id: random hosts and TCP ports it held, most recent last. */
    private static final int MAX_REMEMBERED = 32;

    private static final class Memory {
        final Principal principal;
        final LinkedHashSet<String> hosts = new LinkedHashSet<>();
        final LinkedHashSet<Integer> ports = new LinkedHashSet<>();
        long touchedNanos = System.nanoTime();

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

    /** Binds the id to the principal now using it. */
    public synchronized void claim(String clientId, Principal principal) {
        Memory memory = byId.get(clientId);
        if (memory == null || !memory.principal.equals(principal)) {
            byId.put(clientId, new Memory(principal));
            trim();
        } else {
            memory.touchedNanos = System.nanoTime();
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

    /** Forgets ids untouched for longer than the affinity time. */
    public synchronized void expire() {
        long cutoff = System.nanoTime() - ttlNanos;
        byId.values().removeIf(m -> m.touchedNanos < cutoff);
    }

    private static <T> void remember(LinkedHashSet<T> set, T value) {
        set.remove(value);
        set.add(value);
        if (set.size() > MAX_REMEMBERED) {
            set.remove(set.iterator().next());
        }
    }

    private void trim() {
        while (byId.size() > maxEntries) {
            Map.Entry<String, Memory> eldest = byId.entrySet().iterator().next();
            byId.remove(eldest.getKey());
        }
    }
}
