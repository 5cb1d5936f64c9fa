package dev.ollamachat.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layering of the main sources, read from their imports: business code (chat, mcp) writes no spans, and the
 * packages depend one way. Fails with the offending files or the cycle.
 */
class PackageDependenciesTest {

    private static final Path SOURCES = Path.of("src/main/java/dev/ollamachat");
    private static final String ROOT = "dev.ollamachat";
    private static final Pattern IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?([\\w.]+)", Pattern.MULTILINE);
    private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+);", Pattern.MULTILINE);

    @Test
    void businessCodeImportsNoTracing() {
        List<String> offenders = new ArrayList<>();
        for (Path file : sources()) {
            String text = read(file);
            String pkg = packageOf(text);
            if (pkg.equals(ROOT + ".chat") || pkg.equals(ROOT + ".mcp")) {
                imports(text).stream().filter(i -> i.startsWith("io.opentelemetry"))
                        .forEach(i -> offenders.add(SOURCES.relativize(file) + " imports " + i));
            }
        }
        assertEquals(List.of(), offenders, "chat/ and mcp/ create no spans; tracing hooks in from telemetry/");
    }

    @Test
    void packagesDependOneWay() {
        Map<String, Set<String>> edges = new TreeMap<>();
        for (Path file : sources()) {
            String text = read(file);
            String from = packageOf(text);
            Set<String> targets = edges.computeIfAbsent(from, k -> new TreeSet<>());
            for (String imported : imports(text)) {
                if (imported.startsWith(ROOT + ".")) {
                    String to = packageOfClass(imported);
                    if (!to.equals(from)) {
                        targets.add(to);
                    }
                }
            }
        }
        assertTrue(edges.size() >= 6, "found the packages: " + edges.keySet());
        List<String> cycle = findCycle(edges);
        assertEquals(List.of(), cycle, "a package cycle; the graph is " + edges);
    }

    /** A cycle as the list of packages on it, or an empty list. */
    private static List<String> findCycle(Map<String, Set<String>> edges) {
        Map<String, Integer> state = new TreeMap<>(); // 1 = on the path, 2 = done
        for (String start : edges.keySet()) {
            List<String> path = new ArrayList<>();
            if (visit(start, edges, state, path)) {
                return path;
            }
        }
        return List.of();
    }

    private static boolean visit(String node, Map<String, Set<String>> edges, Map<String, Integer> state,
            List<String> path) {
        Integer seen = state.get(node);
        if (seen != null) {
            if (seen == 1) {
                path.subList(0, path.indexOf(node)).clear();
                path.add(node);
                return true;
            }
            return false;
        }
        state.put(node, 1);
        path.add(node);
        for (String next : edges.getOrDefault(node, Set.of())) {
            if (visit(next, edges, state, path)) {
                return true;
            }
        }
        path.remove(path.size() - 1);
        state.put(node, 2);
        return false;
    }

    /** The package of an imported class: the segments before the first upper-case one. */
    private static String packageOfClass(String imported) {
        StringBuilder pkg = new StringBuilder();
        for (String part : imported.split("\\.")) {
            if (Character.isUpperCase(part.charAt(0))) {
                break;
            }
            pkg.append(pkg.isEmpty() ? "" : ".").append(part);
        }
        return pkg.toString();
    }

    private static List<Path> sources() {
        try (Stream<Path> files = Files.walk(SOURCES)) {
            List<Path> java = files.filter(f -> f.toString().endsWith(".java")).toList();
            assertTrue(java.size() > 20, "the main sources are where this test looks: " + SOURCES.toAbsolutePath());
            return java;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String packageOf(String text) {
        Matcher m = PACKAGE.matcher(text);
        return m.find() ? m.group(1) : "";
    }

    private static List<String> imports(String text) {
        List<String> found = new ArrayList<>();
        Matcher m = IMPORT.matcher(text);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }
}
