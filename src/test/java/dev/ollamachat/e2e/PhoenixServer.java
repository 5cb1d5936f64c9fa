package dev.ollamachat.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A real Arize Phoenix for the end-to-end suite: {@code arize-phoenix} at a pinned version, installed once into a
 * cached virtual environment ({@code ~/.cache/ollama-chat/phoenix-venv-<version>}, {@code OLLAMA_CHAT_CACHE}
 * overrides the cache), served on free loopback ports with a fresh working directory under {@code target/e2e}.
 * One per test JVM, stopped when the JVM ends. Its REST API is read with {@link #spans}, {@link #projects} and
 * {@link #sessions}.
 *
 * <p>The only Python is Phoenix itself and {@code e2e/phoenix_serve.py}, which binds Phoenix's OTLP gRPC receiver to
 * loopback (Phoenix binds it to every interface otherwise).
 */
final class PhoenixServer {

    static final String VERSION = "20.26.1";
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(15);
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3); // the first start migrates its database
    private static final int PAGE_SIZE = 50;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static PhoenixServer shared;

    private final Process process;
    private final int port;
    private final int grpcPort;
    /** How many pages the last {@link #spans} call read. */
    private int lastPages;

    private PhoenixServer(Process process, int port, int grpcPort) {
        this.process = process;
        this.port = port;
        this.grpcPort = grpcPort;
    }

    /** The suite's Phoenix: installed and started on first use, stopped when the JVM ends. */
    static synchronized PhoenixServer shared() throws IOException, InterruptedException {
        if (shared == null) {
            Path venv = install();
            shared = start(venv);
            Runtime.getRuntime().addShutdownHook(new Thread(shared::stop, "stop-phoenix"));
        }
        return shared;
    }

    static Path cache() {
        String configured = System.getenv("OLLAMA_CHAT_CACHE");
        return configured != null && !configured.isBlank() ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".cache", "ollama-chat");
    }

    static Path venv() {
        return cache().resolve("phoenix-venv-" + VERSION);
    }

    /** Installs the pinned arize-phoenix into the cached venv unless it is there; one install at a time. */
    private static Path install() throws IOException, InterruptedException {
        Path venv = venv();
        Files.createDirectories(cache());
        try (FileChannel lockFile = FileChannel.open(cache().resolve(".phoenix-venv-" + VERSION + ".lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = lockFile.lock()) {
            if (installed(venv)) {
                return venv;
            }
            Processes.deleteTree(venv);
            Path log = E2eFiles.dir().resolve("phoenix-install.log");
            Processes.run(List.of("python3", "-m", "venv", venv.toString()), Map.of(), log, Duration.ofMinutes(2));
            Processes.run(List.of(venv.resolve("bin/pip").toString(), "install", "--quiet",
                    "--disable-pip-version-check", "--cache-dir", cache().resolve("pip-cache").toString(),
                    "arize-phoenix==" + VERSION), Map.of(), log, INSTALL_TIMEOUT);
            Files.writeString(venv.resolve(".installed"), "installed on " + LocalDate.now() + "\n");
            return venv;
        }
    }

    private static boolean installed(Path venv) throws IOException, InterruptedException {
        if (!Files.exists(venv.resolve(".installed"))) {
            return false;
        }
        // the pinned version, checked without importing Phoenix (slow)
        return Processes.exitCode(List.of(venv.resolve("bin/python").toString(), "-c",
                "import importlib.metadata as m, sys; sys.exit(m.version('arize-phoenix') != sys.argv[1])",
                VERSION), Duration.ofSeconds(30)) == 0;
    }

    private static PhoenixServer start(Path venv) throws IOException, InterruptedException {
        int port = Processes.freePort();
        int grpcPort = Processes.freePort();
        Path work = E2eFiles.dir().resolve("phoenix-work");
        Path home = E2eFiles.dir().resolve("phoenix-home");
        Processes.deleteTree(work);
        Files.createDirectories(work);
        Files.createDirectories(home);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HOME", home.toString());
        env.put("LANG", "C.UTF-8");
        env.put("PHOENIX_HOST", "127.0.0.1");
        env.put("PHOENIX_PORT", Integer.toString(port));
        env.put("PHOENIX_GRPC_PORT", Integer.toString(grpcPort));
        env.put("PHOENIX_WORKING_DIR", work.toString());
        env.put("PHOENIX_TELEMETRY_ENABLED", "false");
        env.put("PHOENIX_ALLOW_EXTERNAL_RESOURCES", "false");
        Process process = Processes.start(List.of(venv.resolve("bin/python").toString(),
                Path.of("e2e", "phoenix_serve.py").toAbsolutePath().toString(), "serve"), env,
                E2eFiles.dir().resolve("phoenix.log"));
        PhoenixServer phoenix = new PhoenixServer(process, port, grpcPort);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("phoenix serve exited; see target/e2e/phoenix.log:\n"
                        + E2eFiles.tail(E2eFiles.dir().resolve("phoenix.log"), 20));
            }
            if (phoenix.status("/healthz") == 200 && phoenix.status("/v1/projects") == 200) {
                return phoenix;
            }
            Thread.sleep(300);
        }
        phoenix.stop();
        throw new IllegalStateException("Phoenix not ready within " + START_TIMEOUT + "; see target/e2e/phoenix.log");
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    int grpcPort() {
        return grpcPort;
    }

    String version() throws IOException {
        return get("/arize_phoenix_version").body().trim();
    }

    void stop() {
        Processes.stop(process);
    }

    /** Every span of a project, following next_cursor; a span a cursor page repeats is kept once. */
    List<JsonNode> spans(String project, Map<String, String> filters) throws IOException {
        return spans(project, filters, PAGE_SIZE);
    }

    /** {@link #spans(String, Map)} with pages of {@code pageSize} spans. */
    List<JsonNode> spans(String project, Map<String, String> filters, int pageSize) throws IOException {
        Map<String, JsonNode> byId = new LinkedHashMap<>();
        String cursor = null;
        for (int page = 0; page < 200; page++) {
            Map<String, String> query = new LinkedHashMap<>(filters);
            query.put("limit", Integer.toString(pageSize));
            if (cursor != null) {
                query.put("cursor", cursor);
            }
            JsonNode body = json("/v1/projects/" + encode(project) + "/spans?" + query(query));
            body.path("data").forEach(span -> byId.put(span.path("context").path("span_id").asText(), span));
            lastPages = page + 1;
            cursor = body.path("next_cursor").isTextual() ? body.path("next_cursor").asText() : null;
            if (cursor == null || cursor.isEmpty()) {
                break;
            }
        }
        return new ArrayList<>(byId.values());
    }

    int lastPages() {
        return lastPages;
    }

    List<String> projects() throws IOException {
        List<String> names = new ArrayList<>();
        json("/v1/projects").path("data").forEach(p -> names.add(p.path("name").asText()));
        return names;
    }

    /**
     * Creates a chat prompt with this system message through the REST API (a new version when the prompt exists),
     * tags the version, and returns the version's id.
     */
    String createPrompt(String name, String systemText, String tag) throws IOException {
        com.fasterxml.jackson.databind.node.ObjectNode body = JSON.createObjectNode();
        body.putObject("prompt").put("name", name);
        com.fasterxml.jackson.databind.node.ObjectNode version = body.putObject("version")
                .put("model_provider", "OLLAMA").put("model_name", "llama3.1:8b")
                .put("template_type", "CHAT").put("template_format", "NONE");
        version.putObject("template").put("type", "chat").putArray("messages").addObject()
                .put("role", "system").put("content", systemText);
        version.putObject("invocation_parameters").put("type", "ollama").putObject("ollama");
        String id = post("/v1/prompts", body.toString()).path("data").path("id").asText();
        post("/v1/prompt_versions/" + encode(id) + "/tags", "{\"name\":\"" + tag + "\"}");
        return id;
    }

    /** The trace annotations of one trace in a project. */
    List<JsonNode> traceAnnotations(String project, String traceId) throws IOException {
        List<JsonNode> found = new ArrayList<>();
        json("/v1/projects/" + encode(project) + "/trace_annotations?trace_ids=" + encode(traceId) + "&limit=100")
                .path("data").forEach(found::add);
        return found;
    }

    private JsonNode post(String path, String json) throws IOException {
        try {
            HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(url() + path))
                    .timeout(Duration.ofSeconds(15)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() / 100 != 2) {
                throw new IOException("POST " + path + " answered " + answer.statusCode() + ": " + answer.body());
            }
            return answer.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(answer.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** GET /v1/projects/{project}/sessions, or null when this Phoenix has no such endpoint. */
    JsonNode sessions(String project) throws IOException {
        HttpResponse<String> answer = get("/v1/projects/" + encode(project) + "/sessions?limit=100");
        return answer.statusCode() == 404 ? null : JSON.readTree(answer.body());
    }

    private JsonNode json(String pathAndQuery) throws IOException {
        HttpResponse<String> answer = get(pathAndQuery);
        if (answer.statusCode() != 200) {
            throw new IOException("GET " + pathAndQuery + " answered " + answer.statusCode() + ": " + answer.body());
        }
        return JSON.readTree(answer.body());
    }

    private int status(String path) {
        try {
            return get(path).statusCode();
        } catch (IOException notYet) {
            return 0;
        }
    }

    private HttpResponse<String> get(String pathAndQuery) throws IOException {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url() + pathAndQuery)).timeout(Duration.ofSeconds(15))
                    .header("Accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static String query(Map<String, String> query) {
        return query.entrySet().stream().map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
                .collect(Collectors.joining("&"));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
