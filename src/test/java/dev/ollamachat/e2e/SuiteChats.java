package dev.ollamachat.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamachat.support.PackagedJar;
import dev.ollamachat.support.SseClient;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The chats of the end-to-end suite, through the packaged jar's HTTP API: each checks what the service answered
 * and returns what Phoenix must then hold for it.
 */
final class SuiteChats {

    static final String PROJECT = "calculator-frontend";
    static final String ADD_RESULT = "The sum of 5 and 3 is 8.";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PackagedJar app;
    private final PhoenixServer phoenix;
    private final String model;
    private final Duration streamReadTimeout;

    SuiteChats(PackagedJar app, PhoenixServer phoenix, String model, Duration streamReadTimeout) {
        this.app = app;
        this.phoenix = phoenix;
        this.model = model;
        this.streamReadTimeout = streamReadTimeout;
    }

    /** The packaged jar exporting to the suite's Phoenix, configured only by environment, live. */
    static PackagedJar start(String name, PhoenixServer phoenix, Map<String, String> settings) throws IOException {
        Map<String, String> env = new java.util.HashMap<>(Map.of("PHOENIX_ENDPOINT", phoenix.url() + "/v1/traces",
                "PHOENIX_PROJECT_NAME", PROJECT, "PHOENIX_UI_URL", phoenix.url(), "OTEL_SERVICE_NAME",
                "ollama-client", "OTEL_BSP_SCHEDULE_DELAY", "200ms", "LANG", "C.UTF-8"));
        env.putAll(settings);
        PackagedJar jar = PackagedJar.start("e2e-" + name, env);
        jar.awaitStatus("/q/health/live", 200);
        return jar;
    }

    /** A JSON chat that must succeed; {@code reply} null means any text. */
    JsonNode chat(String message, String conversationId, String reply, ExpectedTrace.Tool tool) throws IOException {
        ObjectNode body = JSON.createObjectNode().put("message", message);
        if (conversationId != null) {
            body.put("conversationId", conversationId);
        }
        HttpResponse<String> answer = app.postJson("/api/chat", body.toString());
        assertEquals(200, answer.statusCode(), message + ": " + answer.body());
        assertTrue(answer.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonNode json = JSON.readTree(answer.body());
        if (reply == null) {
            assertFalse(json.path("reply").asText().isBlank(), message + ": the reply has text");
        } else {
            assertEquals(reply, json.path("reply").asText(), message);
        }
        assertEquals(model, json.path("model").asText(), message + ": model");
        assertTrue(json.path("usage").path("inputTokens").asInt() > 0
                && json.path("usage").path("outputTokens").asInt() > 0, message + ": usage " + json.path("usage"));
        List<JsonNode> calls = new ArrayList<>();
        json.path("toolCalls").forEach(calls::add);
        if (tool != null) {
            assertTrue(calls.stream().anyMatch(c -> tool.name().equals(c.path("name").asText())
                    && tool.server().equals(c.path("server").asText())
                    && ADD_RESULT.equals(c.path("result").asText())), message + ": tool call " + calls);
        } else if (reply != null) {
            assertEquals(List.of(), calls, message + ": no tool call");
        }
        String traceId = json.path("traceId").asText();
        checkTraceFields(message, traceId, json.path("traceUrl").asText());
        assertEquals(traceId, traceIdOf(answer.headers().firstValue("traceparent").orElse(null)),
                message + ": the traceparent header names the same trace");
        return json;
    }

    /** A streamed chat that must succeed; returns its done event. */
    JsonNode stream(String message, String reply, ExpectedTrace.Tool tool, boolean spread) throws IOException {
        List<SseClient.Event> events = new ArrayList<>();
        List<Long> tokenNanos = new ArrayList<>();
        try (SseClient sse = SseClient.post(app.port(), "/api/chat/stream",
                JSON.createObjectNode().put("message", message).toString())) {
            sse.readTimeout(streamReadTimeout);
            assertEquals(200, sse.status(), message);
            for (SseClient.Event event = sse.next(); event != null; event = sse.next()) {
                if (event.isComment()) {
                    continue;
                }
                events.add(event);
                if ("token".equals(event.name())) {
                    tokenNanos.add(System.nanoTime());
                }
            }
        }
        List<String> names = events.stream().map(SseClient.Event::name).toList();
        StringBuilder text = new StringBuilder();
        for (SseClient.Event event : events) {
            if ("token".equals(event.name())) {
                text.append(JSON.readTree(event.data()).path("text").asText());
            }
        }
        assertFalse(tokenNanos.isEmpty(), message + ": token events " + names);
        if (reply == null) {
            assertFalse(text.toString().isBlank(), message + ": the tokens spell a reply");
        } else {
            assertEquals(reply, text.toString(), message + ": the tokens spell the reply");
        }
        if (spread && tokenNanos.size() > 1) {
            assertTrue(tokenNanos.get(tokenNanos.size() - 1) > tokenNanos.get(0), message + ": tokens arrive over time");
        }
        if (tool != null) {
            int call = names.indexOf("tool_call");
            int result = names.indexOf("tool_result");
            int token = names.indexOf("token");
            assertTrue(0 <= call && call < result && result < token, message + ": tool_call, tool_result, tokens: "
                    + names);
            assertEquals(ADD_RESULT, JSON.readTree(events.get(result).data()).path("result").asText());
        }
        assertFalse(names.contains("error"), message + ": no error event " + names);
        assertEquals("done", names.get(names.size() - 1), message + ": the last event is done");
        JsonNode done = JSON.readTree(events.get(events.size() - 1).data());
        assertEquals(model, done.path("model").asText(), message + ": done names the model");
        assertTrue(done.path("usage").path("inputTokens").asInt() > 0
                && done.path("usage").path("outputTokens").asInt() > 0, message + ": done counts tokens " + done);
        assertFalse(done.path("conversationId").asText().isEmpty(), message + ": done names the conversation");
        checkTraceFields(message, done.path("traceId").asText(), done.path("traceUrl").asText());
        return done;
    }

    /** A chat on a model Ollama lacks: a 502 problem saying to pull it; returns the trace its traceparent names. */
    String failing(String path) throws IOException {
        HttpResponse<String> answer = app.postJson(path, "{\"message\":\"Hello\"}");
        assertEquals(502, answer.statusCode(), path + ": " + answer.body());
        assertTrue(answer.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"),
                path + ": problem+json");
        assertTrue(answer.body().contains("ollama pull " + model), path + ": " + answer.body());
        String traceId = traceIdOf(answer.headers().firstValue("traceparent").orElse(null));
        assertNotNull(traceId, path + ": the traceparent header names the trace");
        return traceId;
    }

    ExpectedTrace expect(String label, JsonNode reply, String root, String llmName, Integer llmCount,
            List<ExpectedTrace.Tool> tools) {
        return new ExpectedTrace(label, reply.path("traceId").asText(), reply.path("conversationId").asText(), root,
                llmName, llmCount, model, tools, false, reply.path("usage").path("inputTokens").asInt(),
                reply.path("usage").path("outputTokens").asInt());
    }

    ExpectedTrace expectFailure(String label, String traceId, String root, String llmName) {
        return new ExpectedTrace(label, traceId, null, root, llmName, 1, model, List.of(), true, null, null);
    }

    List<String> conversationContents(String conversationId) throws IOException {
        HttpResponse<String> answer = app.get("/api/conversations/" + conversationId);
        assertEquals(200, answer.statusCode(), answer.body());
        List<String> contents = new ArrayList<>();
        JSON.readTree(answer.body()).path("messages").forEach(m -> contents.add(m.path("content").asText()));
        return contents;
    }

    JsonNode get(String path) throws IOException {
        return JSON.readTree(app.get(path).body());
    }

    private void checkTraceFields(String label, String traceId, String traceUrl) {
        assertEquals(32, traceId.length(), label + ": traceId " + traceId);
        assertNotEquals("0".repeat(32), traceId, label + ": traceId");
        assertEquals(phoenix.url() + "/redirects/traces/" + traceId, traceUrl, label + ": traceUrl");
    }

    static String traceIdOf(String traceparent) {
        String[] parts = traceparent == null ? new String[0] : traceparent.split("-");
        return parts.length == 4 && parts[1].length() == 32 ? parts[1] : null;
    }
}
