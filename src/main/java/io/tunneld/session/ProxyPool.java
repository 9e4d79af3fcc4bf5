package io.tunneld.session;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/**
 * The proxy connections one client has opened for its public traffic: idle ones parked
 * until needed, public connections waiting for one, and the {@code ReqProxy} requests in
 * flight. It asks for enough proxies to serve every waiter plus some spares, so each use
 * asks for one more (as 1.x does) and a proxy is usually waiting before traffic comes.
 * A client opens each proxy with a full TLS handshake, only when asked, so a burst of
 * public connections would wait a handshake each: when one finds no spare the spare target
 * doubles (several requests go out at once); each quiet sweep halves it and closes the
 * surplus. Everything stays within the per-client limit.
 *
 * <p>A public connection and its proxy on two event loops hand every buffer across threads
 * for as long as they live, which costs a bulk transfer a quarter to a third of its throughput.
 * The client decides nothing about where a proxy lands (the tunnel port spreads connections
 * over the loops), so a session in use keeps a spare on each loop its proxies came on, a
 * connection that finds none on its own loop counts as finding none, and the sweep closes
 * surplus spares where a loop has several. In a cluster, a place is also another replica:
 * proxies the client opened there stay there, and a public connection that arrived there is
 * best served by one of them (see {@link PooledProxy#place()}). Thread-safe: public
 * connections arrive on any event loop.
 */
final class ProxyPool {

    /** A public connection at {@code place} waiting for a proxy, completed on {@code context}. */
    private record Waiter(Promise<PooledProxy> promise, Context context, Object place, long timer) {
    }

    /** An idle proxy, where it is, and since when. */
    private record Parked(PooledProxy proxy, Object place, long sinceNanos) {
    }

    private final Vertx vertx;
    private final Runnable requestProxy;
    private final int maxIdle;
    private final long requestLifetimeNanos;
    private final ArrayDeque<Parked> idle = new ArrayDeque<>();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    /** Waiters a proxy is on its way to, on their own context. */
    private final List<Waiter> handing = new ArrayList<>();
    /** Send times of ReqProxy frames not yet answered by a RegProxy. */
    private final ArrayDeque<Long> requested = new ArrayDeque<>();
    /** The places (event loops, replicas) this session's proxies have come to. */
    private final List<Object> places = new ArrayList<>(2);
    /** Idle proxies to keep ready beyond the waiting connections. */
    private int spareTarget = 1;
    /** Whether a public connection came since the last sweep. */
    private boolean used;
    /** Whether a public connection found no idle proxy on its loop since the last sweep. */
    private boolean burst;
    private boolean closed;

    /**
     * @param requestProxy    sends one ReqProxy on the control connection
     * @param maxIdle         idle proxies (and unanswered requests) allowed at once
     * @param requestLifetime after this an unanswered ReqProxy is taken as lost
     */
    ProxyPool(Vertx vertx, Runnable requestProxy, int maxIdle, Duration requestLifetime) {
        this.vertx = vertx;
        this.requestProxy = requestProxy;
        this.maxIdle = maxIdle;
        this.requestLifetimeNanos = requestLifetime.toNanos();
    }

    /** Asks for the first proxy, right after authentication. */
    void prime() {
        synchronized (this) {
            refill();
        }
    }

    /**
     * Takes a proxy for a public connection at {@code place}, waiting up to {@code timeout}
     * for one; completes {@code promise} on {@code context}, at once if a proxy is idle.
     */
    void acquire(Context context, Object place, Duration timeout, Promise<PooledProxy> promise) {
        PooledProxy ready;
        synchronized (this) {
            if (closed) {
                promise.fail("client session closed");
                return;
            }
            used = true;
            spareTarget = Math.max(spareTarget, spareAtEachPlace());
            Parked parked = takeAt(idle, place, Parked::place);
            if (parked == null) {
                burst = true;
                spareTarget = Math.min(maxIdle, spareTarget * 2);
                // One elsewhere still beats waiting for a handshake.
                parked = idle.poll();
            }
            ready = parked == null ? null : parked.proxy();
            if (ready == null) {
                long timer = vertx.setTimer(Math.max(1, timeout.toMillis()), id -> timeOut(promise));
                waiters.add(new Waiter(promise, context, place, timer));
            }
            refill();
        }
        if (ready != null) {
            promise.complete(ready);
        }
    }

    /** The public connection waiting on {@code promise} went away: stop waiting for it. */
    void cancel(Promise<PooledProxy> promise) {
        stopWaiting(promise, "public connection closed");
    }

    /**
     * A proxy connection the client registered in answer to a ReqProxy. A request slot is
     * free again, so ask for more if connections are still waiting: a burst larger than the
     * in-flight limit is served in rounds, not left to time out.
     */
    void registered(PooledProxy proxy) {
        synchronized (this) {
            requested.poll();
        }
        place(proxy);
        synchronized (this) {
            refill();
        }
    }

    /** Hands a proxy to a waiter, or parks it. */
    void place(PooledProxy proxy) {
        Object place = proxy.place();
        Waiter waiter;
        Parked parked;
        synchronized (this) {
            if (!places.contains(place)) {
                places.add(place);
            }
            waiter = closed ? null : waiterAt(place);
            if (waiter == null) {
                if (closed || idle.size() >= maxIdle) {
                    proxy.close();
                    return;
                }
                parked = new Parked(proxy, place, System.nanoTime());
                idle.add(parked);
                proxy.whenGone(() -> drop(parked));
            } else {
                parked = null;
                handing.add(waiter);
            }
        }
        if (parked != null) {
            // A proxy placed from another thread may have closed on its own loop before its
            // close handler was ours: parked, it would be handed out dead.
            if (!proxy.isOpen()) {
                drop(parked);
            }
            return;
        }
        vertx.cancelTimer(waiter.timer());
        waiter.context().runOnContext(v -> hand(waiter, proxy));
    }

    /**
     * Completes the waiter with the proxy, on the waiter's context, if the pool is still open;
     * otherwise {@link #close} has failed the waiter, and the proxy is closed. The decision is
     * taken under the pool's lock, so that no proxy is handed over after {@code close()}.
     */
    private void hand(Waiter waiter, PooledProxy proxy) {
        boolean open;
        synchronized (this) {
            open = handing.remove(waiter) && !closed;
        }
        if (!open || !waiter.promise().tryComplete(proxy)) {
            place(proxy);
        }
    }

    /**
     * Closes idle proxies parked longer than {@code maxAge}, shrinks the spare target after a
     * quiet period (to one per loop while public connections come, else to one) and closes
     * the surplus, and tops the pool up if {@code wantWarm}.
     */
    void sweep(Duration maxAge, boolean wantWarm) {
        List<PooledProxy> stale = new ArrayList<>();
        synchronized (this) {
            if (!burst) {
                spareTarget = Math.max(used ? spareAtEachPlace() : 1, spareTarget / 2);
            }
            burst = false;
            used = false;
            long cutoff = System.nanoTime() - maxAge.toNanos();
            idle.removeIf(p -> p.sinceNanos() < cutoff && stale.add(p.proxy()));
            closeSurplus(stale);
            if (wantWarm) {
                refill();
            }
        }
        stale.forEach(PooledProxy::close);
    }

    /** Closes every idle proxy and fails every waiter, also one whose proxy is on its way to it. */
    void close() {
        List<Parked> parked;
        List<Waiter> waiting;
        synchronized (this) {
            closed = true;
            parked = new ArrayList<>(idle);
            waiting = new ArrayList<>(waiters);
            waiting.addAll(handing);
            idle.clear();
            waiters.clear();
            handing.clear();
        }
        parked.forEach(p -> p.proxy().close());
        for (Waiter w : waiting) {
            vertx.cancelTimer(w.timer());
            w.context().runOnContext(v -> w.promise().tryFail("client session closed"));
        }
    }

    /**
     * Removes and returns the oldest entry of {@code queue} at {@code place}, if any: a proxy
     * and a public connection on one event loop are joined without thread hand-offs. Both
     * ways matter: a burst of public connections (say 50 kept-alive ones opening at once)
     * waits for proxies, and would otherwise be joined to proxies on the other loop half of
     * the time, for as long as they live.
     */
    private static <T> T takeAt(ArrayDeque<T> queue, Object place, Function<T, Object> placeOf) {
        for (Iterator<T> it = queue.iterator(); it.hasNext();) {
            T entry = it.next();
            if (placeOf.apply(entry).equals(place)) {
                it.remove();
                return entry;
            }
        }
        return null;
    }

    /** The oldest waiter at {@code place}, else the oldest, else null. */
    private Waiter waiterAt(Object place) {
        Waiter there = takeAt(waiters, place, Waiter::place);
        return there != null ? there : waiters.poll();
    }

    /** The spares a session in use keeps: one at each place, within the limit. */
    private int spareAtEachPlace() {
        return Math.min(maxIdle, places.size());
    }

    /** Closes idle proxies beyond the spare target: first where a loop has several, then the oldest. */
    private void closeSurplus(List<PooledProxy> closing) {
        Map<Object, Integer> perPlace = new HashMap<>();
        idle.forEach(p -> perPlace.merge(p.place(), 1, Integer::sum));
        for (Iterator<Parked> it = idle.iterator(); it.hasNext() && idle.size() > spareTarget;) {
            Parked p = it.next();
            if (perPlace.get(p.place()) > 1) {
                perPlace.merge(p.place(), -1, Integer::sum);
                it.remove();
                closing.add(p.proxy());
            }
        }
        while (idle.size() > spareTarget) {
            closing.add(idle.poll().proxy());
        }
    }

    private void timeOut(Promise<PooledProxy> promise) {
        stopWaiting(promise, "no proxy connection within the wait limit");
    }

    /** Removes the waiter of {@code promise}, if it still waits, and fails it. */
    private void stopWaiting(Promise<PooledProxy> promise, String why) {
        Waiter waiter = null;
        synchronized (this) {
            for (Iterator<Waiter> it = waiters.iterator(); it.hasNext();) {
                Waiter w = it.next();
                if (w.promise() == promise) {
                    it.remove();
                    waiter = w;
                    break;
                }
            }
        }
        if (waiter != null) {
            vertx.cancelTimer(waiter.timer());
            promise.tryFail(why);
        }
    }

    private void drop(Parked parked) {
        synchronized (this) {
            if (!idle.remove(parked)) {
                return;
            }
        }
        parked.proxy().close();
    }

    /** Sends ReqProxy until waiters and spares are covered, within the per-client limit. */
    private void refill() {
        expireRequests();
        int wanted = waiters.size() + spareTarget;
        while (!closed && idle.size() + requested.size() < wanted && requested.size() < maxIdle) {
            requested.add(System.nanoTime());
            requestProxy.run();
        }
    }

    private void expireRequests() {
        long cutoff = System.nanoTime() - requestLifetimeNanos;
        while (!requested.isEmpty() && requested.peek() < cutoff) {
            requested.poll();
        }
    }
}
