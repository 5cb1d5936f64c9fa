package dev.ollamachat.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamachat.support.FakeOllama;
import dev.ollamachat.support.PackagedJar;
import dev.ollamachat.support.SseClient;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The Phoenix loop against a real Phoenix: a prompt created in its registry becomes the system prompt and its version
 * is on the LLM span; a request's metadata, tags, user and project land in Phoenix; feedback becomes an annotation on
 * the answer's trace; and every outcome has the status it should: OK, ERROR with a message at the root for a stream
 * that failed midway, cancelled on every span of an abandoned stream, whose LLM span has the partial output.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PhoenixLoopE2E {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OTHER_PROJECT = "e2e-elsewhere";
    private static final String PROMPT = "e2e-assistant";
    private static final String PROMPT_TEXT = "You are the end-to-end assistant. Answer in one sentence.";
    private static final Duration SPANS_WAIT = Duration.ofSeconds(90);

    private PhoenixServer phoenix;
    private final FakeOllama ollama = new FakeOllama();
    private PackagedJar app;
    private String promptVersion;
    private String labelledTrace;
    private String routedTrace;

    @BeforeAll
    void start() throws Exception {
        phoenix = PhoenixServer.shared();
        ollama.start();
        promptVersion = phoenix.createPrompt(PROMPT, PROMPT_TEXT, "production");
        app = SuiteChats.start("loop", phoenix, Map.of("OLLAMA_HOST", ollama.url(),
                "PHOENIX_PROMPT", PROMPT + "@production", "PHOENIX_PROJECTS", OTHER_PROJECT));
        app.awaitStatus("/q/health/ready", 200);
    }

    @AfterAll
    void stop() {
        if (app != null) {
            app.close();
        }
        ollama.stop();
    }

    @BeforeEach
    void reset() {
        ollama.reset();
    }

    @Test
    @Order(1)
    void thePhoenixPromptIsTheSystemPromptAndTheRequestsLabelsLandInPhoenix() throws Exception {
        ollama.answerChatWith("Hello from the loop.", 9, 4);
        HttpResponse<String> answer = app.postJson("/api/chat", "{\"message\":\"Hi\",\"user\":\"ada\","
                + "\"metadata\":{\"team\":\"search\",\"experiment\":2},\"tags\":[\"canary\",\"e2e\"]}");
        assertEquals(200, answer.statusCode(), answer.body());
        labelledTrace = JSON.readTree(answer.body()).path("traceId").asText();
        JsonNode sent = JSON.readTree(ollama.chatRequests().get(0).getBodyAsString()).path("messages").get(0);
        assertEquals("system", sent.path("role").asText());
        assertEquals(PROMPT_TEXT, sent.path("content").asText(), "the prompt created in Phoenix reached Ollama");

        List<JsonNode> trace = awaitTrace(SuiteChats.PROJECT, labelledTrace,
                spans -> spans.stream().anyMatch(s -> s.path("parent_id").isNull()));
        JsonNode llm = only(trace, "LLM", s -> "LLM".equals(s.path("span_kind").asText()));
        assertEquals(promptVersion, ExpectedTrace.text(llm, "llm.prompt_template.version"));
        assertEquals(PROMPT_TEXT, ExpectedTrace.text(llm, "llm.prompt_template.template"));
        JsonNode chat = only(trace, "chat", s -> "chat".equals(s.path("name").asText()));
        JsonNode root = only(trace, "root", s -> s.path("parent_id").isNull());
        for (JsonNode span : List.of(chat, root)) {
            String name = span.path("name").asText();
            assertEquals("OK", span.path("status_code").asText(), name);
            assertEquals("ada", ExpectedTrace.text(span, "user.id"), name);
            // Phoenix parses the metadata JSON and keeps its entries as metadata.<key>
            assertEquals("search", ExpectedTrace.text(span, "metadata.team"), name + ": " + span.path("attributes"));
            assertEquals("2", ExpectedTrace.text(span, "metadata.experiment"), name);
            JsonNode tags = ExpectedTrace.attribute(span, "tag.tags");
            assertNotNull(tags, name + " has tag.tags");
            List<String> tagList = new ArrayList<>();
            tags.forEach(t -> tagList.add(t.asText()));
            assertEquals(List.of("canary", "e2e"), tagList, name);
        }
    }

    @Test
    @Order(2)
    void aRequestNamingAnotherProjectIsTracedThereWhole() throws Exception {
        ollama.answerChatWith("Filed elsewhere.", 9, 3);
        HttpResponse<String> answer = app.postJson("/api/chat",
                "{\"message\":\"Route me\",\"project\":\"" + OTHER_PROJECT + "\"}");
        assertEquals(200, answer.statusCode(), answer.body());
        routedTrace = JSON.readTree(answer.body()).path("traceId").asText();
        List<JsonNode> trace = awaitTrace(OTHER_PROJECT, routedTrace,
                spans -> spans.stream().anyMatch(s -> s.path("parent_id").isNull())
                        && spans.stream().anyMatch(s -> "LLM".equals(s.path("span_kind").asText())));
        assertTrue(trace.size() >= 3, "root, chat, LLM and the call to Ollama: " + trace.size());
        assertEquals(List.of(), phoenix.spans(SuiteChats.PROJECT, Map.of("trace_id", routedTrace)),
                "none of its spans in the default project");

        HttpResponse<String> unknown = app.postJson("/api/chat", "{\"message\":\"x\",\"project\":\"nope\"}");
        assertEquals(400, unknown.statusCode(), unknown.body());
    }

    @Test
    @Order(3)
    void feedbackBecomesAHumanAnnotationOnTheAnswersTrace() throws Exception {
        assertNotNull(labelledTrace, "runs after the labelled chat");
        HttpResponse<String> given = app.postJson("/api/feedback", "{\"traceId\":\"" + labelledTrace
                + "\",\"score\":-1,\"comment\":\"too short\",\"user\":\"ada\"}");
        assertEquals(201, given.statusCode(), given.body());
        assertEquals(SuiteChats.PROJECT, JSON.readTree(given.body()).path("project").asText());
        List<JsonNode> annotations = phoenix.traceAnnotations(SuiteChats.PROJECT, labelledTrace);
        assertEquals(1, annotations.size(), annotations.toString());
        JsonNode annotation = annotations.get(0);
        assertEquals("user feedback", annotation.path("name").asText());
        assertEquals("HUMAN", annotation.path("annotator_kind").asText());
        assertEquals("bad", annotation.path("result").path("label").asText());
        assertEquals(-1.0, annotation.path("result").path("score").asDouble());
        assertEquals("too short", annotation.path("result").path("explanation").asText());
        assertEquals("ada", annotation.path("metadata").path("user_id").asText());

        HttpResponse<String> routed = app.postJson("/api/feedback",
                "{\"traceId\":\"" + routedTrace + "\",\"score\":1}");
        assertEquals(201, routed.statusCode(), routed.body());
        assertEquals(OTHER_PROJECT, JSON.readTree(routed.body()).path("project").asText());
        assertEquals("good", phoenix.traceAnnotations(OTHER_PROJECT, routedTrace).get(0).path("result")
                .path("label").asText());

        HttpResponse<String> unknown = app.postJson("/api/feedback",
                "{\"traceId\":\"" + "ab".repeat(16) + "\",\"score\":1}");
        assertEquals(404, unknown.statusCode(), unknown.body());
    }

    @Test
    @Order(4)
    void aStreamThatFailsMidwayIsAnErrorAtItsRootWithAMessage() throws Exception {
        ollama.answerChat(FakeOllama.ndjson(token("Half an answer"), "{\"error\":\"model crashed\"}"));
        String traceId;
        try (SseClient sse = SseClient.post(app.port(), "/api/chat/stream", "{\"message\":\"Fail midway\"}")) {
            assertEquals(200, sse.status());
            traceId = SuiteChats.traceIdOf(sse.header("traceparent"));
            List<String> names = sse.rest().stream().map(SseClient.Event::name).toList();
            assertTrue(names.contains("error"), names.toString());
        }
        List<JsonNode> trace = awaitTrace(SuiteChats.PROJECT, traceId,
                spans -> spans.stream().anyMatch(s -> s.path("parent_id").isNull()));
        JsonNode root = only(trace, "root", s -> s.path("parent_id").isNull());
        assertEquals("ERROR", root.path("status_code").asText(), "HTTP 200, but the stream failed");
        assertTrue(root.path("status_message").asText().contains("model crashed"), root.path("status_message")
                .asText());
        JsonNode llm = only(trace, "LLM", s -> "LLM".equals(s.path("span_kind").asText()));
        assertEquals("Half an answer", ExpectedTrace.text(llm, "output.value"), "the partial output");
    }

    @Test
    @Order(5)
    void anAbandonedStreamIsCancelledOnEverySpanAndItsLlmSpanHasThePartialOutput() throws Exception {
        String[] lines = new String[81];
        for (int i = 0; i < 80; i++) {
            lines[i] = token(i == 0 ? "Once" : " upon");
        }
        lines[80] = FakeOllama.reply("", 10, 80);
        ollama.answerChat(FakeOllama.ndjson(lines).withChunkedDribbleDelay(80, 16_000));
        String traceId;
        try (SseClient sse = SseClient.post(app.port(), "/api/chat/stream", "{\"message\":\"Tell a story\"}")) {
            assertEquals(200, sse.status());
            traceId = SuiteChats.traceIdOf(sse.header("traceparent"));
            SseClient.Event first = sse.next();
            while (first != null && !"token".equals(first.name())) {
                first = sse.next();
            }
            assertNotNull(first, "a first token came");
        }
        List<JsonNode> trace = awaitTrace(SuiteChats.PROJECT, traceId,
                spans -> spans.stream().anyMatch(s -> s.path("parent_id").isNull())
                        && spans.stream().anyMatch(s -> "chat".equals(s.path("name").asText()))
                        && spans.stream().anyMatch(s -> "LLM".equals(s.path("span_kind").asText())));
        for (JsonNode span : List.of(only(trace, "root", s -> s.path("parent_id").isNull()),
                only(trace, "chat", s -> "chat".equals(s.path("name").asText())),
                only(trace, "LLM", s -> "LLM".equals(s.path("span_kind").asText())))) {
            String name = span.path("name").asText();
            assertEquals("ERROR", span.path("status_code").asText(), name);
            assertEquals("cancelled: the client went away before the answer was complete",
                    span.path("status_message").asText(), name);
            assertEquals("cancelled", ExpectedTrace.text(span, "error.type"), name);
        }
        JsonNode llm = only(trace, "LLM", s -> "LLM".equals(s.path("span_kind").asText()));
        String partial = ExpectedTrace.text(llm, "output.value");
        assertTrue(partial != null && partial.startsWith("Once") && partial.length() < 5 + 80 * 5,
                "the LLM span has the partial output: " + partial);
    }

    @Test
    @Order(6)
    void noTraceOfTheProjectCarriesTheCapabilityProbe() throws IOException {
        List<String> probes = phoenix.spans(SuiteChats.PROJECT, Map.of()).stream()
                .map(s -> s.path("name").asText()).filter(name -> name.contains("/api/show")).toList();
        assertEquals(List.of(), probes);
    }

    private List<JsonNode> awaitTrace(String project, String traceId, Predicate<List<JsonNode>> complete)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + SPANS_WAIT.toNanos();
        List<JsonNode> spans = List.of();
        while (System.nanoTime() < deadline) {
            try {
                spans = phoenix.spans(project, Map.of("trace_id", traceId));
            } catch (IOException projectNotYetCreated) {
                // Phoenix creates a project with its first span
                Thread.sleep(500);
                continue;
            }
            if (!spans.isEmpty() && complete.test(spans)) {
                Thread.sleep(1000); // the rest of the trace's batch
                return phoenix.spans(project, Map.of("trace_id", traceId));
            }
            Thread.sleep(500);
        }
        throw new AssertionError("trace " + traceId + " did not arrive whole in " + project + ": " + spans);
    }

    private static JsonNode only(List<JsonNode> trace, String what, Predicate<JsonNode> matching) {
        List<JsonNode> found = trace.stream().filter(matching).toList();
        assertEquals(1, found.size(), "one " + what + " span in " + trace);
        return found.get(0);
    }

    private static String token(String text) {
        return "{\"model\":\"" + FakeOllama.MODEL + "\",\"created_at\":\"2025-11-01T09:00:00Z\",\"message\":{\"role\":"
                + "\"assistant\",\"content\":" + JSON.valueToTree(text) + "},\"done\":false}";
    }
}
