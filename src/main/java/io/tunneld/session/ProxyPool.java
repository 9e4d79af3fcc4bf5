package io.tunneld.session;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;

/**
 * The proxy connections one client has opened for its public traffic: idle ones parked
 * until needed, public connections waiting for one, and the {@code ReqProxy} requests in
 * flight. It asks for enough proxies to serve every waiter plus one spare, so each use asks
 * for one more (as 1.x does) and a proxy is usually waiting before traffic comes; requests
 * in flight never exceed the per-client limit. Thread-safe: public connections arrive on
 * any event loop.
 */
final class ProxyPool {

    /** A public connection waiting for a proxy. */
    private record Waiter(Promise<NetSocket> promise, Context context, long timer) {
    }

    /** An idle proxy and since when. */
    private record Parked(NetSocket socket, long sinceNanos) {
    }

    private final Vertx vertx;
    private final Runnable requestProxy;
    private final int maxIdle;
    private final long requestLifetimeNanos;
    private final ArrayDeque<Parked> idle = new ArrayDeque<>();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    /** Send times of ReqProxy frames not yet answered by a RegProxy. */
    private final ArrayDeque<Long> requested = new ArrayDeque<>();
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

    /** Number of idle proxies the pool keeps ready beyond the waiting connections. */
    private static final int SPARE = 1;

    /** Asks for the first proxy, right after authentication. */
    void prime() {
        synchronized (this) {
            refill();
        }
    }

    /**
     * Takes a proxy for a public connection, waiting up to {@code timeout} for one. The
     * future completes on {@code context}.
     */
    Future<NetSocket> acquire(Context context, Duration timeout) {
        Promise<NetSocket> promise = Promise.promise();
        NetSocket ready;
        synchronized (this) {
            if (closed) {
                return Future.failedFuture("client session closed");
            }
            Parked parked = idle.poll();
            ready = parked == null ? null : parked.socket();
            if (ready == null) {
                long timer = vertx.setTimer(Math.max(1, timeout.toMillis()), id -> timeOut(promise));
                waiters.add(new Waiter(promise, context, timer));
            }
            refill();
        }
        if (ready != null) {
            return Future.succeededFuture(ready);
        }
        return promise.future();
    }

    /** A proxy connection the client registered in answer to a ReqProxy. */
    void registered(NetSocket proxy) {
        synchronized (this) {
            requested.poll();
        }
        place(proxy);
    }

    /** Hands a proxy to a waiter, or parks it. */
    void place(NetSocket proxy) {
        Waiter waiter;
        synchronized (this) {
            waiter = closed ? null : waiters.poll();
            if (waiter == null) {
                if (closed || idle.size() >= maxIdle) {
                    proxy.close();
                    return;
                }
                Parked parked = new Parked(proxy, System.nanoTime());
                idle.add(parked);
                // An idle proxy carries nothing until StartProxy: data or EOF means it is unusable.
                proxy.handler(data -> drop(parked));
                proxy.closeHandler(v -> drop(parked));
                return;
            }
        }
        vertx.cancelTimer(waiter.timer());
        waiter.context().runOnContext(v -> {
            if (!waiter.promise().tryComplete(proxy)) {
                place(proxy);
            }
        });
    }

    /** Closes idle proxies parked longer than {@code maxAge} and keeps one request in flight. */
    void sweep(Duration maxAge, boolean wantWarm) {
        List<NetSocket> stale = new ArrayList<>();
        synchronized (this) {
            long cutoff = System.nanoTime() - maxAge.toNanos();
            for (Iterator<Parked> it = idle.iterator(); it.hasNext();) {
                Parked p = it.next();
                if (p.sinceNanos() < cutoff) {
                    it.remove();
                    stale.add(p.socket());
                }
            }
            if (wantWarm) {
                refill();
            }
        }
        stale.forEach(NetSocket::close);
    }

    /** Closes every idle proxy and fails every waiter. */
    void close() {
        List<Parked> parked;
        List<Waiter> waiting;
        synchronized (this) {
            closed = true;
            parked = new ArrayList<>(idle);
            waiting = new ArrayList<>(waiters);
            idle.clear();
            waiters.clear();
        }
        parked.forEach(p -> p.socket().close());
        for (Waiter w : waiting) {
            vertx.cancelTimer(w.timer());
            w.context().runOnContext(v -> w.promise().tryFail("client session closed"));
        }
    }

    /** Idle proxies now. */
    synchronized int idleCount() {
        return idle.size();
    }

    private void timeOut(Promise<NetSocket> promise) {
        synchronized (this) {
            waiters.removeIf(w -> w.promise() == promise);
        }
        promise.tryFail("no proxy connection within the wait limit");
    }

    private void drop(Parked parked) {
        synchronized (this) {
            if (!idle.remove(parked)) {
                return;
            }
        }
        parked.socket().close();
    }

    /** Sends ReqProxy until waiters and the spare are covered, within the per-client limit. */
    private void refill() {
        expireRequests();
        int wanted = waiters.size() + SPARE;
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
