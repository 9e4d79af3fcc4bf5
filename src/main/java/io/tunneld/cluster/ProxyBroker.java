package io.tunneld.cluster;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import io.tunneld.protocol.StartProxy;
import io.tunneld.proxy.ProxyJoin;
import io.tunneld.session.Control;
import io.tunneld.session.ControlRegistry;
import io.tunneld.session.LocalProxy;
import io.tunneld.session.PooledProxy;
import io.tunneld.tunnel.ProxyConnection;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;

/**
 * Proxy connections across replicas, so that a forwarded public connection costs at most
 * one hop. A client's proxy connection stays on the replica it reached: parked there, and
 * counted by its session's pool on the replica holding the session (the owner). A public
 * connection on any replica asks the owner for a proxy ({@code want}); the owner's pool
 * picks one, preferably parked on the asking replica, and answers with where it is and its
 * handle ({@code grant}); the asking replica then uses it directly, or claims it on the
 * replica parking it and relays to that one. The owner never relays for others.
 */
final class ProxyBroker {

    private static final Logger LOG = Logger.getLogger(ProxyBroker.class);
    /** A proxy granted to another replica that does not claim it in this time is closed. */
    private static final long CLAIM_WITHIN_MILLIS = 10_000;

    /** A public connection here waiting for the owner's answer. */
    private static final class Wanted {
        /** The replica holding the session: another one, if the session moves meanwhile. */
        volatile String owner;
        final String clientId;
        final Context caller;
        final StartProxy start;
        final Promise<ProxyConnection> promise;
        final long deadlineNanos;
        /** The current request's id: a retry asks again under a new one. */
        long id;
        long timer;
        boolean retried;

        Wanted(String owner, String clientId, Context caller, StartProxy start, Promise<ProxyConnection> promise,
                long deadlineNanos) {
            this.owner = owner;
            this.clientId = clientId;
            this.caller = caller;
            this.start = start;
            this.promise = promise;
            this.deadlineNanos = deadlineNanos;
        }
    }

    private final Vertx vertx;
    private final String self;
    private final ControlRegistry controls;
    private final PeerLinks links;
    private final HostedProxies hosted;
    private final ClaimDialer dialer;
    private final ClusterView view;
    private final ClusterMetrics metrics;
    private final ProxyJoin join;
    private final Duration proxyWait;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, Wanted> wanted = new ConcurrentHashMap<>();
    /** Other replicas' requests this replica's pools are serving, by "replica id". */
    private final Map<String, Runnable> serving = new ConcurrentHashMap<>();
    /** Proxies of this replica's sessions parked elsewhere, by handle. */
    private final Map<String, RemoteProxy> remote = new ConcurrentHashMap<>();

    ProxyBroker(Vertx vertx, String self, ControlRegistry controls, PeerLinks links, HostedProxies hosted,
            ClaimDialer dialer, ClusterView view, ClusterMetrics metrics, ProxyJoin join, Duration proxyWait) {
        this.vertx = vertx;
        this.self = self;
        this.controls = controls;
        this.links = links;
        this.hosted = hosted;
        this.dialer = dialer;
        this.view = view;
        this.metrics = metrics;
        this.join = join;
        this.proxyWait = proxyWait;
    }

    // ---- the replica with the public connection ----

    /** Asks {@code owner} for a proxy of session {@code clientId}; see {@link RemoteSession}. */
    Runnable want(String owner, String clientId, Context caller, StartProxy start, Duration timeout,
            Promise<ProxyConnection> promise) {
        Wanted w = new Wanted(owner, clientId, caller, start, promise, System.nanoTime() + timeout.toNanos());
        ask(w);
        return () -> {
            long id = w.id;
            if (wanted.remove(id, w)) {
                vertx.cancelTimer(w.timer);
                links.send(owner, PeerFrame.cancel(id, clientId));
                promise.tryFail("public connection closed");
            }
        };
    }

    /** A proxy granted here but not used: it goes back to its session's pool. */
    void giveBack(String owner, String clientId, ProxyConnection proxy) {
        if (proxy.started()) {
            proxy.socket().close();
            return;
        }
        String handle = hosted.park(proxy.socket(), clientId, owner, 0);
        links.send(owner, PeerFrame.returned(clientId, self, handle));
    }

    private void ask(Wanted w) {
        long id = ids.incrementAndGet();
        w.id = id;
        wanted.put(id, w);
        long left = Math.max(1, (w.deadlineNanos - System.nanoTime()) / 1_000_000);
        w.timer = vertx.setTimer(left, t -> {
            if (wanted.remove(id, w)) {
                links.send(w.owner, PeerFrame.cancel(id, w.clientId));
                w.promise.tryFail("no proxy connection within the wait limit");
            }
        });
        links.send(w.owner, PeerFrame.want(id, w.clientId));
    }

    private void granted(String from, PeerFrame grant) {
        Wanted w = wanted.remove(grant.id());
        if (w == null) {
            // Cancelled or timed out meanwhile: the proxy goes back to its pool.
            links.send(from, PeerFrame.returned(grant.client(), grant.host(), grant.handle()));
            return;
        }
        vertx.cancelTimer(w.timer);
        w.caller.runOnContext(v -> {
            if (grant.host().equals(self)) {
                NetSocket socket = hosted.claim(grant.handle());
                if (socket == null) {
                    retry(w, "the proxy parked here went away");
                } else if (!w.promise.tryComplete(ProxyConnection.direct(socket))) {
                    giveBack(w.owner, w.clientId, ProxyConnection.direct(socket));
                }
                return;
            }
            String address = view.address(grant.host());
            if (address == null) {
                retry(w, "replica " + grant.host() + " is gone");
                return;
            }
            dialer.claim(address, grant.handle(), w.start).onComplete(ar -> {
                if (ar.failed()) {
                    retry(w, ar.cause().getMessage());
                    return;
                }
                metrics.forwarded("out", ClusterMetrics.reasonOf(w.start.url()));
                if (!w.promise.tryComplete(ar.result())) {
                    ar.result().socket().close();
                }
            });
        });
    }

    /** Once per public connection: a proxy can close between its grant and its claim. */
    private void retry(Wanted w, String why) {
        if (w.retried || System.nanoTime() >= w.deadlineNanos || w.promise.future().isComplete()) {
            w.promise.tryFail(why);
            return;
        }
        w.retried = true;
        LOG.debugf("cluster: asking again for a proxy of %s: %s", w.clientId.substring(0, Math.min(8, w.clientId.length())), why);
        ask(w);
    }

    // ---- the replica holding the session ----

    private void wantedBy(String from, PeerFrame want) {
        Optional<Control> control = controls.get(want.client());
        if (control.isEmpty()) {
            links.send(from, PeerFrame.deny(want.id(), "no such session on replica " + self));
            return;
        }
        String key = from + " " + want.id();
        Promise<PooledProxy> promise = Promise.promise();
        serving.put(key, control.get().acquireFor(Vertx.currentContext(), from, proxyWait, promise));
        promise.future().onComplete(ar -> {
            serving.remove(key);
            if (ar.failed()) {
                links.send(from, PeerFrame.deny(want.id(), ar.cause().getMessage()));
            } else if (ar.result() instanceof RemoteProxy proxy) {
                remote.remove(proxy.handle(), proxy);
                links.send(from, PeerFrame.grant(want.id(), want.client(), proxy.host(), proxy.handle()));
            } else if (ar.result() instanceof LocalProxy proxy) {
                String handle = hosted.park(proxy.socket(), want.client(), self, CLAIM_WITHIN_MILLIS);
                links.send(from, PeerFrame.grant(want.id(), want.client(), self, handle));
            }
        });
    }

    private void returned(String from, PeerFrame frame) {
        Optional<Control> control = controls.get(frame.client());
        PooledProxy proxy;
        if (frame.host().equals(self)) {
            NetSocket socket = hosted.claim(frame.handle());
            if (socket == null) {
                return;
            }
            proxy = new LocalProxy(socket);
        } else {
            RemoteProxy r = new RemoteProxy(frame.host(), frame.handle(), this);
            remote.put(frame.handle(), r);
            proxy = r;
        }
        if (control.isPresent()) {
            control.get().returnProxy(proxy);
        } else {
            proxy.close();
        }
    }

    private void parked(String from, PeerFrame frame) {
        Optional<Control> control = controls.get(frame.client());
        if (control.isEmpty() || frame.addr() == null
                || !controls.proxyAllowed(control.get(), SocketAddress.inetSocketAddress(0, frame.addr()))) {
            links.send(from, PeerFrame.drop(frame.handle()));
            return;
        }
        metrics.forwarded("in", "proxy");
        RemoteProxy proxy = new RemoteProxy(from, frame.handle(), this);
        remote.put(frame.handle(), proxy);
        control.get().offerProxy(proxy);
    }

    /** Claims a proxy of this replica's session parked on another replica, for a public connection here. */
    Future<ProxyConnection> claim(RemoteProxy proxy, StartProxy start) {
        remote.remove(proxy.handle(), proxy);
        String address = view.address(proxy.host());
        if (address == null) {
            return Future.failedFuture("replica " + proxy.host() + " is gone");
        }
        return dialer.claim(address, proxy.handle(), start)
                .onSuccess(c -> metrics.forwarded("out", ClusterMetrics.reasonOf(start.url())));
    }

    /** This replica's pool no longer wants a proxy parked elsewhere. */
    void drop(RemoteProxy proxy) {
        if (remote.remove(proxy.handle(), proxy)) {
            links.send(proxy.host(), PeerFrame.drop(proxy.handle()));
        }
    }

    // ---- the replica parking a proxy ----

    /**
     * A proxy for a session held by {@code owner} registered here: parked, and the owner told.
     */
    void parkForeign(NetSocket proxy, String clientId, String owner) {
        String handle = hosted.park(proxy, clientId, owner, 0);
        metrics.forwarded("out", "proxy");
        links.send(owner, PeerFrame.parked(clientId, handle, proxy.remoteAddress().hostAddress()));
    }

    /** Another replica claims a proxy parked here, for one of its public connections. */
    void claimed(NetSocket connection, PeerFrame open, Buffer rest) {
        NetSocket proxy = hosted.claim(open.handle());
        if (proxy == null) {
            connection.write(PeerFrame.status(false, "gone").encode());
            connection.close();
            return;
        }
        metrics.forwarded("in", ClusterMetrics.reasonOf(String.valueOf(open.url())));
        connection.write(PeerFrame.status(true, null).encode());
        join.joinForwarded(connection, proxy, new StartProxy(open.url(), open.addr()), rest);
    }

    /** One of this replica's parked proxies went away: its owner hears it. */
    void hostedGone(String owner, String clientId, String handle) {
        if (!owner.equals(self)) {
            links.send(owner, PeerFrame.gone(clientId, handle));
        }
    }

    // ---- messages and membership ----

    /** A message from replica {@code from}, on its link's context. */
    void onMessage(String from, PeerFrame frame) {
        switch (frame.type()) {
            case "want" -> wantedBy(from, frame);
            case "cancel" -> {
                Runnable cancel = serving.remove(from + " " + frame.id());
                if (cancel != null) {
                    cancel.run();
                }
            }
            case "grant" -> granted(from, frame);
            case "deny" -> {
                Wanted w = wanted.remove(frame.id());
                if (w != null) {
                    vertx.cancelTimer(w.timer);
                    w.caller.runOnContext(v -> w.promise.tryFail(String.valueOf(frame.reason())));
                }
            }
            case "parked" -> parked(from, frame);
            case "gone" -> {
                RemoteProxy proxy = remote.remove(frame.handle());
                if (proxy != null) {
                    proxy.gone();
                }
            }
            case "drop" -> hosted.drop(frame.handle());
            case "return" -> returned(from, frame);
            default -> LOG.debugf("cluster: ignored a %s message from %s", frame.type(), from);
        }
    }

    /**
     * Session {@code clientId} is now held by {@code holder}: proxies parked for its old pool
     * are useless, and public connections waiting on the old one (gone, or stopping) ask the
     * new one, rather than wait out the proxy wait for nothing.
     */
    void sessionMoved(String clientId, String holder) {
        hosted.dropMoved(clientId, holder);
        wanted.forEach((id, w) -> {
            if (w.clientId.equals(clientId) && !w.owner.equals(holder) && wanted.remove(id, w)) {
                vertx.cancelTimer(w.timer);
                links.send(w.owner, PeerFrame.cancel(id, clientId));
                w.owner = holder;
                w.caller.runOnContext(v -> ask(w));
            }
        });
    }

    /** Session {@code clientId} of {@code holder} ended. */
    void sessionEnded(String clientId, String holder) {
        hosted.dropEnded(clientId, holder);
    }

    /** Replica {@code replica} left or died: nothing of it can be used or answered any more. */
    void memberLeft(String replica) {
        remote.values().removeIf(p -> {
            if (p.host().equals(replica)) {
                p.gone();
                return true;
            }
            return false;
        });
        wanted.forEach((id, w) -> {
            if (w.owner.equals(replica) && wanted.remove(id, w)) {
                vertx.cancelTimer(w.timer);
                w.caller.runOnContext(v -> w.promise.tryFail("replica " + replica + " left"));
            }
        });
        serving.keySet().removeIf(key -> {
            if (key.startsWith(replica + " ")) {
                Runnable cancel = serving.get(key);
                if (cancel != null) {
                    cancel.run();
                }
                return true;
            }
            return false;
        });
        hosted.dropOwner(replica);
        links.close(replica);
    }
}
