package dev.ollamachat.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OTLP/HTTP receiver in the test's process: it keeps every export request, decoded from protobuf. It also answers
 * the two calls of Phoenix's REST API that feedback makes, from what it received, as Phoenix 20.26.1 does: the spans
 * of a trace by name in a project (404 for a project it never got spans for), and synchronous trace annotations (404
 * for a trace it never got; one annotation per name, trace and identifier).
 */
public final class OtlpReceiver {

    /** One POST as received: path, headers (lower-case names) and the decoded body. */
    public record Export(String path, Map<String, String> headers, ExportTraceServiceRequest request) {
    }

    /** One annotation as stored, and the headers (lower-case names) of the request that wrote it. */
    public record Annotation(JsonNode body, String query, Map<String, String> headers) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Map<String, Annotation> annotations = new java.util.concurrent.ConcurrentHashMap<>();
    /** Prompt versions by the paths that read them. */
    private final Map<String, String> prompts = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicInteger promptReads = new AtomicInteger();

    private final HttpServer server;
    private final List<Export> exports = Collections.synchronizedList(new ArrayList<>());
    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger failWith = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    private final List<byte[]> metrics = Collections.synchronizedList(new ArrayList<>());
    private volatile CountDownLatch hanging = new CountDownLatch(0);

    public OtlpReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            int status = failWith.get();
            if (status != 0) {
                exchange.getRequestBody().readAllBytes();
                exchange.sendResponseHeaders(status, -1);
                exchange.close();
                return;
            }
            try {
                hanging.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            String path = exchange.getRequestURI().getPath();
            if (path.startsWith("/v1/projects/") && path.endsWith("/spans")) {
                answerSpans(exchange, path.substring("/v1/projects/".length(), path.length() - "/spans".length()));
                return;
            }
            if (path.startsWith("/v1/prompts/") || path.startsWith("/v1/prompt_versions/")) {
                String served = prompts.get(path);
                promptReads.incrementAndGet();
                if (served == null) {
                    respond(exchange, 404, "text/plain", "Not Found");
                } else {
                    respond(exchange, 200, "application/json", served);
                }
                return;
            }
            if (path.equals("/v1/trace_annotations")) {
                annotate(exchange);
                return;
            }
            if (exchange.getRequestURI().getPath().endsWith("/v1/metrics")) {
                metrics.add(exchange.getRequestBody().readAllBytes());
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
                return;
            }
            Map<String, String> headers = new java.util.TreeMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), values.get(0)));
            byte[] body = exchange.getRequestBody().readAllBytes();
            try {
                exports.add(new Export(exchange.getRequestURI().getPath(), headers,
                        ExportTraceServiceRequest.parseFrom(body)));
                exchange.sendResponseHeaders(200, -1);
            } catch (IOException | RuntimeException | LinkageError notProtobuf) {
                failures.add(notProtobuf.toString());
                exchange.sendResponseHeaders(415, -1);
            } finally {
                exchange.close();
            }
        });
    }

    public void start() {
        server.start();
    }

    /** Answers every export with this status (as Phoenix does with 503 when its queue is full). */
    public void failWith(int status) {
        requests.set(0);
        failWith.set(status);
    }

    /** Takes every export and never answers, until {@link #answer()}. */
    public void hang() {
        hanging = new CountDownLatch(1);
    }

    /** Back to taking every export and answering 200. */
    public void answer() {
        failWith.set(0);
        hanging.countDown();
    }

    public void stop() {
        answer();
        server.stop(0);
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<Export> exports() {
        return List.copyOf(exports);
    }

    /** The bodies of the OTLP metrics exports (POST .../v1/metrics) so far, as sent (protobuf). */
    public List<byte[]> metricsExports() {
        return List.copyOf(metrics);
    }

    /** Every POST since the start or the last {@link #failWith}, answered or not. */
    public int requests() {
        return requests.get();
    }

    /** Requests that could not be decoded as OTLP protobuf. */
    public List<String> failures() {
        return List.copyOf(failures);
    }

    public void reset() {
        exports.clear();
        failures.clear();
        annotations.clear();
    }

    /**
     * Serves a chat prompt version with this system message as Phoenix does: as the prompt's latest, under the tag,
     * and by its id. Replaces what was served for that prompt.
     */
    public void servePrompt(String name, String tag, String versionId, String systemText) {
        com.fasterxml.jackson.databind.node.ObjectNode version = JSON.createObjectNode();
        version.put("id", versionId).put("model_provider", "OLLAMA").put("model_name", "llama3.1:8b")
                .put("template_type", "CHAT").put("template_format", "NONE");
        com.fasterxml.jackson.databind.node.ObjectNode template = version.putObject("template").put("type", "chat");
        template.putArray("messages").addObject().put("role", "system").put("content", systemText);
        template.withArray("messages").addObject().put("role", "user")
                .putArray("content").addObject().put("type", "text").put("text", "{{question}}");
        String body = "{\"data\":" + version + "}";
        prompts.put("/v1/prompts/" + name + "/latest", body);
        prompts.put("/v1/prompts/" + name + "/tags/" + tag, body);
        prompts.put("/v1/prompt_versions/" + versionId, body);
    }

    /** Serves no prompt: every read is a 404. */
    public void removePrompts() {
        prompts.clear();
    }

    /** Prompt reads so far. */
    public int promptReads() {
        return promptReads.get();
    }

    /** The annotations stored, in no order. */
    public List<Annotation> annotations() {
        return List.copyOf(annotations.values());
    }

    private void answerSpans(com.sun.net.httpserver.HttpExchange exchange, String project) throws IOException {
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        List<Export> ofProject = exports().stream()
                .filter(e -> project.equals(e.headers().get("x-project-name"))).toList();
        if (ofProject.isEmpty()) {
            respond(exchange, 404, "text/plain", "Project with name " + project + " not found");
            return;
        }
        com.fasterxml.jackson.databind.node.ArrayNode data = JSON.createArrayNode();
        spansOf(ofProject).filter(span -> hex(span.getTraceId()).equals(query.get("trace_id")))
                .filter(span -> !query.containsKey("name") || span.getName().equals(query.get("name")))
                .limit(Integer.parseInt(query.getOrDefault("limit", "100")))
                .forEach(span -> {
                    com.fasterxml.jackson.databind.node.ObjectNode node = data.addObject();
                    node.put("name", span.getName());
                    com.fasterxml.jackson.databind.node.ObjectNode attributes = node.putObject("attributes");
                    span.getAttributesList().forEach(kv -> attributes.set(kv.getKey(), value(kv.getValue())));
                });
        respond(exchange, 200, "application/json", "{\"data\":" + data + ",\"next_cursor\":null}");
    }

    private void annotate(com.sun.net.httpserver.HttpExchange exchange) throws IOException {
        Map<String, String> headers = new java.util.TreeMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), values.get(0)));
        JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
        String rawQuery = exchange.getRequestURI().getRawQuery();
        com.fasterxml.jackson.databind.node.ArrayNode ids = JSON.createArrayNode();
        for (JsonNode annotation : body.path("data")) {
            String traceId = annotation.path("trace_id").asText();
            if (spansOf(exports()).noneMatch(span -> hex(span.getTraceId()).equals(traceId))) {
                respond(exchange, 404, "text/plain", "Traces with IDs " + traceId + " do not exist.");
                return;
            }
            String key = annotation.path("name").asText() + "|" + traceId + "|" + annotation.path("identifier")
                    .asText("");
            annotations.put(key, new Annotation(annotation, rawQuery, headers));
            ids.addObject().put("id", "TraceAnnotation:" + Math.abs(key.hashCode()));
        }
        respond(exchange, 200, "application/json", "{\"data\":" + ids + "}");
    }

    private static java.util.stream.Stream<io.opentelemetry.proto.trace.v1.Span> spansOf(List<Export> exports) {
        return exports.stream().flatMap(e -> e.request().getResourceSpansList().stream())
                .flatMap(r -> r.getScopeSpansList().stream()).flatMap(s -> s.getSpansList().stream());
    }

    private static JsonNode value(io.opentelemetry.proto.common.v1.AnyValue value) {
        return switch (value.getValueCase()) {
            case STRING_VALUE -> JSON.getNodeFactory().textNode(value.getStringValue());
            case BOOL_VALUE -> JSON.getNodeFactory().booleanNode(value.getBoolValue());
            case INT_VALUE -> JSON.getNodeFactory().numberNode(value.getIntValue());
            case DOUBLE_VALUE -> JSON.getNodeFactory().numberNode(value.getDoubleValue());
            case ARRAY_VALUE -> {
                com.fasterxml.jackson.databind.node.ArrayNode array = JSON.createArrayNode();
                value.getArrayValue().getValuesList().forEach(v -> array.add(value(v)));
                yield array;
            }
            default -> JSON.getNodeFactory().nullNode();
        };
    }

    private static String hex(com.google.protobuf.ByteString id) {
        return java.util.HexFormat.of().formatHex(id.toByteArray());
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> query = new java.util.HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    query.put(java.net.URLDecoder.decode(pair.substring(0, eq), java.nio.charset.StandardCharsets.UTF_8),
                            java.net.URLDecoder.decode(pair.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8));
                }
            }
        }
        return query;
    }

    private static void respond(com.sun.net.httpserver.HttpExchange exchange, int status, String type, String body)
            throws IOException {
        byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }
}
