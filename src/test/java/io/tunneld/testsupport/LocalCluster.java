package io.tunneld.testsupport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * A cluster on one machine, as src/docs/operating.md shows an operator: a real Redis, replicas of the
 * packaged jar each on a loopback address of its own (127.0.0.2, .3, ...) with the same port
 * numbers, so that every replica can listen on every TCP tunnel port, and round-robin
 * relays on 127.0.0.1 in front of the tunnel, HTTP and HTTPS ports, as an L4 load balancer
 * without affinity.
 */
public final class LocalCluster implements AutoCloseable {

    public static final String SECRET = "cluster-secret-for-the-tests";
    public static final String TOKEN_1 = "cluster-token-number-1";
    public static final String TOKEN_2 = "cluster-token-number-2";

    private final RedisServer redis;
    private final PemFiles tls = PemFiles.selfSigned("localhost", "*.localhost");
    private final int tunnelPort;
    private final int httpPort;
    private final int httpsPort;
    private final int healthPort;
    private final int forwardPort;
    private final int tcpMin;
    private final Map<String, String> extraEnv;
    private final TunneldProcess[] replicas;
    private final List<RoundRobinRelay> relays = new ArrayList<>();

    /** Starts Redis, {@code size} replicas (in parallel) and the relays. */
    public LocalCluster(int size, Map<String, String> extraEnv) throws Exception {
        this.redis = RedisServer.start();
        this.tunnelPort = freePort();
        this.httpPort = freePort();
        this.httpsPort = freePort();
        this.healthPort = freePort();
        this.forwardPort = freePort();
        this.tcpMin = 31000 + (int) (Math.random() * 900);
        this.extraEnv = Map.copyOf(extraEnv);
        this.replicas = new TunneldProcess[size];
        List<CompletableFuture<Void>> starting = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            int index = i;
            starting.add(CompletableFuture.runAsync(() -> {
                try {
                    start(index);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        try {
            CompletableFuture.allOf(starting.toArray(CompletableFuture[]::new)).get();
        } catch (ExecutionException e) {
            close();
            throw e;
        }
        for (int port : new int[] { tunnelPort, httpPort, httpsPort }) {
            relays.add(relay(port));
        }
    }

    /** The loopback address replica {@code i} lives on. */
    public static String host(int i) {
        return "127.0.0." + (i + 2);
    }

    public RedisServer redis() {
        return redis;
    }

    public TunneldProcess replica(int i) {
        return replicas[i];
    }

    public int size() {
        return replicas.length;
    }

    public int tunnelPort() {
        return tunnelPort;
    }

    public int httpPort() {
        return httpPort;
    }

    public int httpsPort() {
        return httpsPort;
    }

    /** The lowest of the TCP tunnel ports (a range of 20). */
    public int tcpMin() {
        return tcpMin;
    }

    /** Starts replica {@code i} (again, after a kill or a stop) and waits until it is ready. */
    public void start(int i) throws IOException, InterruptedException {
        String host = host(i);
        Map<String, String> env = new HashMap<>();
        env.put("TUNNELD_TUNNEL_HOST", host);
        env.put("TUNNELD_TUNNEL_PORT", String.valueOf(tunnelPort));
        env.put("TUNNELD_TUNNEL_TLS_CERT_FILE", tls.cert().toString());
        env.put("TUNNELD_TUNNEL_TLS_KEY_FILE", tls.key().toString());
        env.put("TUNNELD_HTTP_HOST", host);
        env.put("TUNNELD_HTTP_PORT", String.valueOf(httpPort));
        env.put("TUNNELD_HTTPS_HOST", host);
        env.put("TUNNELD_HTTPS_PORT", String.valueOf(httpsPort));
        env.put("TUNNELD_TCP_HOST", host);
        env.put("TUNNELD_TCP_PORT_MIN", String.valueOf(tcpMin));
        env.put("TUNNELD_TCP_PORT_MAX", String.valueOf(tcpMin + 19));
        env.put("TUNNELD_AUTH_TOKENS", TOKEN_1 + "," + TOKEN_2);
        env.put("TUNNELD_EVENT_LOOPS", "2");
        env.put("TUNNELD_CLUSTER_REDIS_URL", redis.url());
        env.put("TUNNELD_CLUSTER_SECRET", SECRET);
        env.put("TUNNELD_CLUSTER_FORWARD_PORT", String.valueOf(forwardPort));
        env.put("TUNNELD_CLUSTER_ADVERTISE_HOST", host);
        env.put("TUNNELD_CLUSTER_LEASE", "4s");
        env.put("TUNNELD_CLUSTER_REDIS_TIMEOUT", "2s");
        env.put("TUNNELD_TIMEOUTS_PROXY_WAIT", "5s");
        env.putAll(extraEnv);
        replicas[i] = TunneldProcess.start("replica-" + i, host, healthPort, env);
    }

    private RoundRobinRelay relay(int port) throws IOException {
        List<InetSocketAddress> backends = new ArrayList<>();
        for (int i = 0; i < replicas.length; i++) {
            backends.add(new InetSocketAddress(host(i), port));
        }
        return new RoundRobinRelay("127.0.0.1", port, backends);
    }

    /** A port free on loopback; the replicas take the same number on their own addresses. */
    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        for (RoundRobinRelay relay : relays) {
            relay.close();
        }
        for (TunneldProcess replica : replicas) {
            if (replica != null) {
                replica.close();
            }
        }
        redis.close();
    }
}
