package dev.ollamachat.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The third-party MCP reference server {@code @modelcontextprotocol/server-everything}, run with Node.js over
 * streamable HTTP on a free loopback port, for interop tests of our MCP client against a server nobody on this
 * project wrote.
 * <p>
 * Version 2025.12.18 is pinned: it is the last release whose adder tool is named {@code add} (later releases call
 * it {@code get-sum}). The package is installed once with npm into a cache directory, by default
 * {@code ~/.cache/ollama-chat/mcp-everything-2025.12.18}, or the directory named by {@code MCP_EVERYTHING_DIR}.
 * The generated {@code package-lock.json} stays there and pins the transitive dependencies for later runs.
 * <p>
 * The server has a tool that prints its environment, so it runs with nothing in it but {@code PATH} and
 * {@code PORT}. It has no host option and would listen on all interfaces; a small preload written next to the
 * installation keeps it on 127.0.0.1.
 */
public final class EverythingMcpServer implements AutoCloseable {

    public static final String PACKAGE = "@modelcontextprotocol/server-everything";
    public static final String VERSION = "2025.12.18";
    public static final String DIR_ENV = "MCP_EVERYTHING_DIR";

    private static final Logger LOG = Logger.getLogger(EverythingMcpServer.class);
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
    private static final String PRELOAD_FILE = "loopback-preload.cjs";

    /** Our loopback shim: listen(port) and listen(port, callback), without a host, get host 127.0.0.1. */
    private static final String PRELOAD = """
            // Written by the ollama-chat tests (EverythingMcpServer). Loaded with node -r before the server:
            // a listen(port) or listen(port, callback) call that names no host binds to loopback only.
            'use strict';
            const net = require('node:net');
            const originalListen = net.Server.prototype.listen;
            const isPort = (p) => Number.isInteger(p) || (typeof p === 'string' && /^[0-9]+$/.test(p));
            net.Server.prototype.listen = function listenOnLoopback(port, ...rest) {
              const noHost = rest.length === 0 || (rest.length === 1 && typeof rest[0] === 'function');
              return noHost && isPort(port)
                ? originalListen.call(this, port, '127.0.0.1', ...rest)
                : originalListen.call(this, port, ...rest);
            };
            """;

    private final Path dir;
    private Process process;
    private Thread shutdownHook;
    private int port;
    private Duration installTime = Duration.ZERO;
    private Duration startTime = Duration.ZERO;

    private final Map<String, String> extraEnvironment;

    public EverythingMcpServer(Path dir) {
        this(dir, Map.of());
    }

    /** A server whose environment also holds these variables (a secret the tests must never see leak). */
    public EverythingMcpServer(Path dir, Map<String, String> extraEnvironment) {
        this.dir = dir.toAbsolutePath().normalize();
        this.extraEnvironment = Map.copyOf(extraEnvironment);
    }

    /** {@code MCP_EVERYTHING_DIR}, else {@code ~/.cache/ollama-chat/mcp-everything-<version>}. */
    public static Path defaultDir() {
        String configured = System.getenv(DIR_ENV);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "ollama-chat", "mcp-everything-" + VERSION);
    }

    /** Installs the package if needed, starts the server and waits until its port accepts connections. */
    public synchronized void start() {
        if (process != null) {
            throw new IllegalStateException("already started");
        }
        try {
            Files.createDirectories(dir);
            installIfMissing();
            Path preload = writePreload();
            port = freeLoopbackPort();
            long began = System.nanoTime();
            ProcessBuilder builder = new ProcessBuilder("node", "-r", preload.toString(),
                    entryPoint().toString(), "streamableHttp")
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(serverLog().toFile());
            Map<String, String> env = builder.environment();
            String path = env.get("PATH");
            env.clear();
            if (path != null) {
                env.put("PATH", path);
            }
            env.put("PORT", Integer.toString(port));
            env.putAll(extraEnvironment);
            process = builder.start();
            shutdownHook = new Thread(this::stop, "stop-mcp-everything");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
            awaitPort(began);
            startTime = Duration.ofNanos(System.nanoTime() - began);
            LOG.infof("%s@%s (pid %d) listens at %s after %d ms", PACKAGE, VERSION, process.pid(), url(),
                    startTime.toMillis());
        } catch (IOException e) {
            stop();
            throw new UncheckedIOException("Could not start " + PACKAGE + "@" + VERSION + " in " + dir, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop();
            throw new IllegalStateException("Interrupted while starting " + PACKAGE, e);
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
    }

    /** The streamable HTTP endpoint. */
    public String url() {
        return "http://127.0.0.1:" + port + "/mcp";
    }

    public int port() {
        return port;
    }

    /** Time spent on npm (zero when the package was already installed). */
    public Duration installTime() {
        return installTime;
    }

    /** Time from starting node until the port accepted a connection. */
    public Duration startTime() {
        return startTime;
    }

    /** Stops the server process by its PID: a polite termination first, then a forced one. */
    public synchronized void stop() {
        Process running = process;
        process = null;
        if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException ignored) {
                // the JVM is already shutting down and runs the hook itself
            }
        }
        shutdownHook = null;
        if (running == null || !running.isAlive()) {
            return;
        }
        running.destroy();
        try {
            if (!running.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warnf("%s (pid %d) did not stop within %s, killing it", PACKAGE, running.pid(), STOP_TIMEOUT);
                running.destroyForcibly();
                running.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            running.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }

    private Path entryPoint() {
        return dir.resolve("node_modules").resolve(PACKAGE).resolve("dist").resolve("index.js");
    }

    private Path serverLog() {
        return dir.resolve("server.log");
    }

    private void installIfMissing() throws IOException, InterruptedException {
        // a lock file keeps two test JVMs sharing the cache from running npm in the same directory at once
        try (FileChannel channel = FileChannel.open(dir.resolve(".install.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
                FileLock ignored = channel.lock()) {
            if (Files.isRegularFile(entryPoint()) && VERSION.equals(installedVersion())) {
                return;
            }
            long began = System.nanoTime();
            Path log = dir.resolve("npm-install.log");
            Files.deleteIfExists(log);
            if (!Files.exists(dir.resolve("package.json"))) {
                npm(log, "npm", "init", "-y");
            }
            npm(log, "npm", "install", "--save-exact", "--no-audit", "--no-fund", PACKAGE + "@" + VERSION);
            if (!Files.isRegularFile(entryPoint()) || !VERSION.equals(installedVersion())) {
                throw new IllegalStateException("npm did not install " + PACKAGE + "@" + VERSION + " into " + dir
                        + "; found version " + installedVersion() + ". npm said:\n" + tail(log));
            }
            installTime = Duration.ofNanos(System.nanoTime() - began);
            LOG.infof("Installed %s@%s into %s in %d ms", PACKAGE, VERSION, dir, installTime.toMillis());
        }
    }

    private String installedVersion() {
        Path manifest = dir.resolve("node_modules").resolve(PACKAGE).resolve("package.json");
        if (!Files.isRegularFile(manifest)) {
            return null;
        }
        try {
            JsonNode version = new ObjectMapper().readTree(manifest.toFile()).get("version");
            return version == null ? null : version.asText();
        } catch (IOException e) {
            return null;
        }
    }

    private void npm(Path log, String... command) throws IOException, InterruptedException {
        Process npm;
        try {
            npm = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new IOException("Could not run npm; Node.js and npm must be on the PATH for this test", e);
        }
        if (!npm.waitFor(INSTALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            npm.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish within " + INSTALL_TIMEOUT
                    + " in " + dir + ":\n" + tail(log));
        }
        if (npm.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed with exit code " + npm.exitValue()
                    + " in " + dir + ":\n" + tail(log));
        }
    }

    private Path writePreload() throws IOException {
        Path preload = dir.resolve(PRELOAD_FILE);
        Path temp = Files.createTempFile(dir, "loopback-", ".tmp");
        Files.writeString(temp, PRELOAD, StandardCharsets.UTF_8);
        return Files.move(temp, preload, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private void awaitPort(long began) throws InterruptedException {
        long deadline = began + START_TIMEOUT.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException(PACKAGE + " exited with code " + process.exitValue()
                        + " before listening on port " + port + ":\n" + tail(serverLog()));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 250);
                return;
            } catch (IOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(PACKAGE + " did not listen on 127.0.0.1:" + port + " within "
                        + START_TIMEOUT + ":\n" + tail(serverLog()));
            }
            Thread.sleep(25);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }
}
