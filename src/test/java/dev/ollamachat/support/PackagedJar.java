package dev.ollamachat.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged jar ({@code target/quarkus-app/quarkus-run.jar}) run as a deployment runs it: its own process,
 * configured only by environment variables. The environment of the build is not passed on, apart from what a JVM
 * needs ({@code PATH}, {@code HOME}), so a setting of the developer's shell cannot leak into a test.
 */
public final class PackagedJar implements AutoCloseable {

    public static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String name;
    private final Process process;
    private final int port;
    private final Path log;

    private PackagedJar(String name, Process process, int port, Path log) {
        this.name = name;
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts the jar on a free loopback port with {@code env} (PORT is set here); does not wait. */
    public static PackagedJar start(String name, Map<String, String> env) throws IOException {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException("run after package: " + JAR);
        }
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Path log = Path.of("target", "packaged-" + name + ".log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx256m", "-jar", JAR.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> environment = builder.environment();
        environment.keySet().retainAll(java.util.Set.of("PATH", "HOME", "LANG", "TMPDIR"));
        environment.put("PORT", Integer.toString(port));
        environment.put("HOST", "127.0.0.1");
        environment.putAll(env);
        return new PackagedJar(name, builder.start(), port, log);
    }

    /** Starts the jar and waits until readiness answers 200. */
    public static PackagedJar startReady(String name, Map<String, String> env) throws IOException {
        PackagedJar jar = start(name, env);
        jar.awaitStatus("/q/health/ready", 200);
        return jar;
    }

    /** Waits up to 60 s until {@code path} answers {@code status}; fails with the log when the process ends first. */
    public HttpResponse<String> awaitStatus(String path, int status) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        HttpResponse<String> last = null;
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                last = get(path);
                if (last.statusCode() == status) {
                    return last;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            pause(200);
        }
        throw new IllegalStateException(name + ": " + path + " did not answer " + status + " (last: "
                + (last == null ? "no answer" : last.statusCode() + " " + last.body()) + "); its log:\n" + log());
    }

    /** Waits for the process to end by itself; returns its exit code, or fails when it is still running. */
    public int awaitExit(Duration within) throws IOException {
        try {
            if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(name + " still running after " + within + "; its log:\n" + log());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    public HttpResponse<String> get(String path) throws IOException {
        return send(HttpRequest.newBuilder(uri(path)).GET().build());
    }

    public HttpResponse<String> postJson(String path, String json) throws IOException {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    public int port() {
        return port;
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    public void kill() {
        process.destroyForcibly();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static HttpResponse<String> send(HttpRequest request) throws IOException {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
