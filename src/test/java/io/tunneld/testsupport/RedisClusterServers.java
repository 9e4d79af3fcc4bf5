package io.tunneld.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis Cluster of three masters on free loopback ports (cluster mode needs a
 * config file each, and {@code redis-cli --cluster create} to share the slots), for checking
 * that the directory's scripts and announcements work there as on one Redis.
 */
public final class RedisClusterServers implements AutoCloseable {

    private final List<Process> nodes = new ArrayList<>();
    private final List<Integer> ports = new ArrayList<>();

    public RedisClusterServers() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("tunneld-redis-cluster");
        try {
            for (int i = 0; i < 3; i++) {
                int port = RedisServer.freePort();
                Path nodeDir = Files.createDirectories(dir.resolve(String.valueOf(port)));
                nodes.add(new ProcessBuilder(RedisServer.binary(), "--port", String.valueOf(port), "--bind",
                        "127.0.0.1", "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--save", "",
                        "--appendonly", "no", "--dir", nodeDir.toString())
                        .redirectErrorStream(true).redirectOutput(nodeDir.resolve("redis.log").toFile()).start());
                ports.add(port);
                RedisServer.awaitListening(port, nodes.get(i));
            }
            List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
            ports.forEach(p -> create.add("127.0.0.1:" + p));
            create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
            Process cli = new ProcessBuilder(create).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("create.log").toFile()).start();
            if (!cli.waitFor(30, TimeUnit.SECONDS) || cli.exitValue() != 0) {
                throw new IOException("redis-cli --cluster create failed: " + Files.readString(dir.resolve("create.log")));
            }
            awaitClusterOk();
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Connection strings of the nodes. */
    public List<String> urls() {
        return ports.stream().map(p -> "redis://127.0.0.1:" + p).toList();
    }

    private void awaitClusterOk() throws IOException, InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < end) {
            for (int port : ports) {
                Process info = new ProcessBuilder("redis-cli", "-p", String.valueOf(port), "cluster", "info")
                        .redirectErrorStream(true).start();
                String out = new String(info.getInputStream().readAllBytes());
                info.waitFor();
                if (!out.contains("cluster_state:ok")) {
                    Thread.sleep(100);
                    break;
                }
                if (port == ports.get(ports.size() - 1)) {
                    return;
                }
            }
        }
        throw new IOException("the Redis Cluster did not reach cluster_state:ok");
    }

    @Override
    public void close() throws InterruptedException {
        for (Process node : nodes) {
            node.destroyForcibly();
            node.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
