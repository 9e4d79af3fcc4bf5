package io.tunneld.session;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;

import io.quarkus.scheduler.Scheduled;
import io.tunneld.auth.Principal;
import io.tunneld.config.TunneldConfig;
import io.vertx.core.Future;

/**
 * The sessions directory of a single node: what each session id held, so a client that
 * reconnects with its old ClientId gets its random URLs and TCP ports back. Keyed by id and
 * bound to the principal that held it; unlike 1.x it never falls back to the client's IP
 * address, which would let users behind one NAT inherit each other's URLs. The memory of a
 * live session never expires; once it ends, it is kept for {@code url-affinity}. There are
 * at most a few entries per allowed session.
 */
@ApplicationScoped
@Typed(UrlAffinity.class)
public class UrlAffinity implements SessionDirectory {

    /** Per id: random hosts and TCP ports it held, most recent last. */
    private static final int MAX_REMEMBERED = 32;

    private static final class Memory {
        final Principal principal;
        final LinkedHashSet<String> hosts = new LinkedHashSet<>();
        final LinkedHashSet<Integer> ports = new LinkedHashSet<>();
        /** Sessions open under the id: a replaced one ends after its successor began. */
        int live;
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

    @Override
    public synchronized Future<SessionGrant> open(Optional<String> requested, Principal principal, String instance,
            Supplier<String> newId) {
        String id = requested.filter(r -> {
            Memory memory = byId.get(r);
            return memory == null || memory.principal.equals(principal);
        }).orElseGet(newId);
        Memory memory = byId.get(id);
        if (memory == null || !memory.principal.equals(principal)) {
            memory = new Memory(principal);
            byId.put(id, memory);
            trim();
        }
        memory.live++;
        return Future.succeededFuture(new SessionGrant(id, new ArrayList<>(memory.hosts), new ArrayList<>(memory.ports)));
    }

    @Override
    public synchronized void rememberHost(String clientId, Principal principal, String host) {
        Memory memory = byId.get(clientId);
        if (memory != null && memory.principal.equals(principal)) {
            remember(memory.hosts, host);
        }
    }

    @Override
    public synchronized void rememberPort(String clientId, Principal principal, int port) {
        Memory memory = byId.get(clientId);
        if (memory != null && memory.principal.equals(principal)) {
            remember(memory.ports, port);
        }
    }

    @Override
    public synchronized void closed(String clientId, String instance, Principal principal) {
        Memory memory = byId.get(clientId);
        if (memory != null && memory.principal.equals(principal) && memory.live > 0) {
            memory.live--;
            memory.endedNanos = System.nanoTime();
        }
    }

    /** Forgets ids whose session ended longer than the affinity time ago; not at start, as the sweep. */
    @Scheduled(every = "${tunneld.timeouts.sweep-interval}", delayed = "${tunneld.timeouts.sweep-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    public synchronized void expire() {
        long cutoff = System.nanoTime() - ttlNanos;
        byId.values().removeIf(m -> m.live == 0 && m.endedNanos < cutoff);
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
