package dev.ollamachat.e2e;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The processes of the end-to-end suite: each starts with a clean environment (PATH and HOME, plus what it is
 * given), logs to a file under {@code target/e2e}, is bounded in time, and is stopped with its children.
 */
final class Processes {

    private Processes() {
    }

    static Process start(List<String> command, Map<String, String> env, Path log) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().keySet().retainAll(Set.of("PATH", "HOME"));
        builder.environment().putAll(env);
        return builder.start();
    }

    /** Runs a command to its end within {@code limit}; fails with the log's tail when it fails or overruns. */
    static void run(List<String> command, Map<String, String> env, Path log, Duration limit)
            throws IOException, InterruptedException {
        Process process = start(command, env, log);
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            stop(process);
            throw new IllegalStateException(String.join(" ", command) + " did not end within " + limit + "; "
                    + log + ":\n" + E2eFiles.tail(log, 20));
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited with " + process.exitValue() + "; "
                    + log + ":\n" + E2eFiles.tail(log, 20));
        }
    }

    static int exitCode(List<String> command, Duration limit) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            stop(process);
            return -1;
        }
        return process.exitValue();
    }

    /** TERM to the process and its descendants, KILL after 10 s. */
    static void stop(Process process) {
        if (process == null) {
            return;
        }
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        children.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    /**
     * The local addresses of the sockets listening on {@code port} (from /proc/net/tcp and tcp6), as
     * "127.0.0.1", "0.0.0.0", "::1", "::" and so on.
     */
    static List<String> listeningAddresses(int port) throws IOException {
        List<String> addresses = new java.util.ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path file = Path.of(table);
            if (!Files.exists(file)) {
                continue;
            }
            List<String> lines = Files.readAllLines(file);
            for (String line : lines.subList(1, lines.size())) {
                String[] fields = line.trim().split("\\s+");
                String[] local = fields[1].split(":");
                if (fields[3].equals("0A") && Integer.parseInt(local[1], 16) == port) {
                    addresses.add(address(local[0]));
                }
            }
        }
        return addresses;
    }

    /** Whether every listening socket on {@code port} is a loopback address (and there is one). */
    static boolean listensOnLoopbackOnly(int port) throws IOException {
        List<String> addresses = listeningAddresses(port);
        return !addresses.isEmpty() && addresses.stream().allMatch(a -> a.startsWith("127.") || a.equals("::1")
                || a.startsWith("::ffff:127."));
    }

    private static String address(String hex) {
        if (hex.length() == 8) { // IPv4, little-endian
            return Integer.parseInt(hex.substring(6, 8), 16) + "." + Integer.parseInt(hex.substring(4, 6), 16) + "."
                    + Integer.parseInt(hex.substring(2, 4), 16) + "." + Integer.parseInt(hex.substring(0, 2), 16);
        }
        // IPv6: four little-endian 32-bit words
        StringBuilder bytes = new StringBuilder();
        for (int word = 0; word < 4; word++) {
            String w = hex.substring(word * 8, word * 8 + 8);
            bytes.append(w, 6, 8).append(w, 4, 6).append(w, 2, 4).append(w, 0, 2);
        }
        String all = bytes.toString().toLowerCase(java.util.Locale.ROOT);
        if (all.equals("00000000000000000000000000000000")) {
            return "::";
        }
        if (all.equals("00000000000000000000000000000001")) {
            return "::1";
        }
        if (all.startsWith("00000000000000000000ffff")) {
            return "::ffff:" + address(all.substring(30, 32) + all.substring(28, 30) + all.substring(26, 28)
                    + all.substring(24, 26));
        }
        return all;
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
