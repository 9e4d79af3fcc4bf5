package io.tunneld.testsupport;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * tunneld as its users run it: what {@code package} built before the integration tests run,
 * the jar ({@code target/quarkus-app}) in a JVM of its own or, after {@code package -Dnative},
 * the native executable; configured by environment variables, its output in
 * {@code target/cluster-logs/NAME.log}. It can be killed (SIGKILL, as a node failure) or
 * stopped (SIGTERM, as Kubernetes stops a pod).
 */
public final class TunneldProcess implements AutoCloseable {

    private static final String START = "---- start ";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final String host;
    private final int healthPort;
    private final Path log;
    private final Process process;

    private TunneldProcess(String name, String host, int healthPort, Path log, Process process) {
        this.name = name;
        this.host = host;
        this.healthPort = healthPort;
        this.log = log;
        this.process = process;
    }

    /**
     * Starts the jar with {@code env} (added to this JVM's environment) and waits until it
     * reports ready at {@code http://host:healthPort/q/health/ready}.
     */
    public static TunneldProcess start(String name, String host, int healthPort, Map<String, String> env)
            throws IOException, InterruptedException {
        Map<String, String> all = new HashMap<>(env);
        all.put("QUARKUS_HTTP_HOST", host);
        all.put("QUARKUS_HTTP_PORT", String.valueOf(healthPort));
        TunneldProcess started = launch(name, host, healthPort, all);
        started.awaitReady(Duration.ofSeconds(30));
        return started;
    }

    /**
     * Starts the jar with {@code env} alone (the management port's address and port as
     * configured there, or the defaults) and returns at once; {@code host} and
     * {@code healthPort} are where this handle looks for health.
     */
    public static TunneldProcess launch(String name, String host, int healthPort, Map<String, String> env)
            throws IOException {
        Path logs = Files.createDirectories(Path.of("target", "cluster-logs"));
        Path log = logs.resolve(name + ".log");
        ProcessBuilder builder = command().redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        Files.writeString(log, START + name + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return new TunneldProcess(name, host, healthPort, log, builder.start());
    }

    /** The native executable if {@code package} built one, the jar otherwise. */
    private static ProcessBuilder command() {
        if (BuiltArtifact.isNative()) {
            Path executable = BuiltArtifact.nativeExecutable();
            return new ProcessBuilder(executable.toString()).directory(executable.getParent().toFile());
        }
        Path app = Path.of(System.getProperty("tunneld.app", "target/quarkus-app")).toAbsolutePath();
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(java, "@jvm.options", "-XX:TieredStopAtLevel=1", "-jar", "quarkus-run.jar")
                .directory(app.toFile());
    }

    public String name() {
        return name;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits until readiness answers 200. */
    public void awaitReady(Duration within) throws IOException, InterruptedException {
        long end = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new IOException(name + " exited with " + process.exitValue() + ":\n" + log());
            }
            if (status("/q/health/ready") == 200) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IOException(name + " not ready within " + within + ":\n" + log());
    }

    /** HTTP status of a health or metrics path, or -1 if nothing answers. */
    public int status(String path) throws InterruptedException {
        try {
            return HTTP.send(request(path), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        }
    }

    /** Body of a health or metrics path. */
    public String get(String path) throws IOException, InterruptedException {
        return HTTP.send(request(path), HttpResponse.BodyHandlers.ofString()).body();
    }

    private HttpRequest request(String path) {
        return HttpRequest.newBuilder(URI.create("http://" + host + ":" + healthPort + path))
                .timeout(Duration.ofSeconds(5)).build();
    }

    /** Everything it logged so far. */
    public String log() throws IOException {
        return Files.readString(log);
    }

    /** The lines it wrote since its latest start, output and errors as they came. */
    public List<String> output() throws IOException {
        String all = log();
        return all.substring(all.lastIndexOf(START + name + "\n") + START.length() + name.length() + 1).lines()
                .toList();
    }

    /** SIGKILL, as when a node dies: nothing is cleaned up. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM, as Kubernetes stops a pod; returns without waiting for the exit. */
    public void terminate() {
        process.destroy();
    }

    /** Waits for the process to exit; returns its exit code. */
    public int awaitExit(Duration within) throws InterruptedException {
        if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(name + " still running after " + within);
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
