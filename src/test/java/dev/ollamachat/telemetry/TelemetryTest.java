package dev.ollamachat.telemetry;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ollamachat.support.CapturedSpans;
import dev.ollamachat.support.FakeOllama;
import dev.ollamachat.support.OtlpReceiver;
import dev.ollamachat.support.ScriptedOllama;
import dev.ollamachat.support.ScriptedOllamaResource;
import dev.ollamachat.support.ScriptedOllamaResource.InjectScriptedOllama;
import dev.ollamachat.support.SseClient;
import dev.ollamachat.support.TelemetryResources;
import dev.ollamachat.support.TelemetryResources.InjectOtlpReceiver;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The trace of a chat, span by span, as the in-memory exporter and an OTLP receiver see it. */
@QuarkusTest
@TestProfile(TelemetryTest.TelemetryOn.class)
class TelemetryTest {

    public static class TelemetryOn implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(ScriptedOllamaResource.class),
                    new TestResourceEntry(TelemetryResources.class));
        }
    }

    @InjectScriptedOllama
    ScriptedOllama ollama;

    @InjectOtlpReceiver
    OtlpReceiver receiver;

    @Inject
    CapturedSpans spans;

    @BeforeEach
    void reset() {
        ollama.reset();
        spans.reset();
        receiver.reset();
    }

    @Test
    void plainChatIsOneTraceWithChatLlmAndHttpClientSpans() throws Exception {
        ollama.nextChat().answer(FakeOllama.reply("Hello! How are you today?", 26, 298));

        Response response = given().contentType(ContentType.JSON).body("{\"message\":\"Hi there\"}")
                .when().post("/api/chat");
        response.then().statusCode(200);
        String traceId = response.path("traceId");
        String conversationId = response.path("conversationId");
        assertNotNull(traceId);
        assertEquals(receiver.url() + "/redirects/traces/" + traceId, response.path("traceUrl"),
                "the link follows PHOENIX_ENDPOINT's Phoenix");
        assertTrue(response.header("traceparent").startsWith("00-" + traceId + "-"));

        List<SpanData> trace = traceOf(traceId, s -> s.getName().equals("chat"));
        SpanData server = only(trace, s -> s.getKind() == SpanKind.SERVER);
        assertTrue(server.getName().startsWith("POST /api/chat"), server.getName());
        SpanData chat = only(trace, s -> s.getName().equals("chat"));
        SpanData llm = only(trace, s -> s.getName().equals(SpanNames.LLM_BLOCKING));
        assertEquals(server.getSpanId(), chat.getParentSpanId());
        assertTrue(isDescendant(trace, llm, chat), "the LLM span is inside the chat span");
        SpanData http = only(trace, s -> s.getParentSpanId().equals(llm.getSpanId()));
        assertTrue(http.getName().startsWith("POST"), "the HTTP call to Ollama is a child of the LLM span");
        // Phoenix gets it named after whom it calls: the server span alone is POST /api/chat
        // the root ends last, and may leave in a later batch than the spans under it: wait for it
        awaitExported(traceId, s -> s.getParentSpanId().isEmpty());
        List<String> exported = exportedNames(traceId);
        assertTrue(exported.contains("ollama POST /api/chat"), exported.toString());
        assertEquals(1, exported.stream().filter(n -> n.startsWith("POST /api/chat")).count(), exported.toString());
        assertTrue(trace.stream().noneMatch(s -> s.getName().startsWith("completion")
                || s.getName().startsWith("langchain4j.")), "one span per model call, ours: " + names(trace));
        assertEquals(1, trace.stream().filter(s -> "LLM".equals(s.getAttributes().get(SpanNames.SPAN_KIND))).count());
        assertEquals(StatusCode.OK, server.getStatus().getStatusCode(), "a chat that worked says so at its root");
        assertEquals(StatusCode.OK, chat.getStatus().getStatusCode());
        assertEquals(StatusCode.OK, llm.getStatus().getStatusCode());

        assertEquals("CHAIN", chat.getAttributes().get(SpanNames.SPAN_KIND));
        assertEquals(conversationId, chat.getAttributes().get(SpanNames.SESSION_ID));
        assertEquals(conversationId, server.getAttributes().get(SpanNames.SESSION_ID),
                "Phoenix's Sessions view reads the root span");
        assertEquals("Hi there", server.getAttributes().get(SpanNames.INPUT_VALUE));
        assertEquals("Hello! How are you today?", server.getAttributes().get(SpanNames.OUTPUT_VALUE));
        assertEquals("Hi there", chat.getAttributes().get(SpanNames.INPUT_VALUE));
        assertEquals("Hello! How are you today?", chat.getAttributes().get(SpanNames.OUTPUT_VALUE));

        var a = llm.getAttributes();
        assertEquals("LLM", a.get(SpanNames.SPAN_KIND));
        assertEquals(FakeOllama.MODEL, a.get(SpanNames.LLM_MODEL_NAME));
        assertEquals("ollama", a.get(SpanNames.LLM_PROVIDER));
        assertEquals("ollama", a.get(SpanNames.LLM_SYSTEM));
        assertEquals(26L, a.get(SpanNames.LLM_TOKEN_COUNT_PROMPT));
        assertEquals(298L, a.get(SpanNames.LLM_TOKEN_COUNT_COMPLETION));
        assertEquals(324L, a.get(SpanNames.LLM_TOKEN_COUNT_TOTAL));
        assertEquals("chat", a.get(SpanNames.GEN_AI_OPERATION_NAME));
        assertEquals("ollama", a.get(SpanNames.GEN_AI_PROVIDER_NAME));
        assertEquals(FakeOllama.MODEL, a.get(SpanNames.GEN_AI_REQUEST_MODEL));
        java.net.URI ollamaUrl = java.net.URI.create(ollama.url());
        assertEquals(ollamaUrl.getHost(), a.get(SpanNames.SERVER_ADDRESS), "the Ollama that served the call");
        assertEquals((long) ollamaUrl.getPort(), a.get(SpanNames.SERVER_PORT));
        assertEquals(26L, a.get(SpanNames.GEN_AI_USAGE_INPUT_TOKENS));
        assertEquals(298L, a.get(SpanNames.GEN_AI_USAGE_OUTPUT_TOKENS));
        assertEquals(List.of("stop"), a.get(SpanNames.GEN_AI_FINISH_REASONS));
        assertEquals(conversationId, a.get(SpanNames.GEN_AI_CONVERSATION_ID));
        assertEquals("ollama", a.get(SpanNames.LLM_VENDOR));
        assertEquals(FakeOllama.MODEL, a.get(SpanNames.LLM_MODEL));
        assertEquals("chat_with_tools", a.get(SpanNames.LLM_OPERATION));
        assertEquals(2L, a.get(SpanNames.LLM_MESSAGE_COUNT));
        assertEquals(4L, a.get(SpanNames.LLM_TOOL_COUNT));
        assertEquals(26L, a.get(SpanNames.LLM_TOKENS_INPUT));
        assertEquals(298L, a.get(SpanNames.LLM_TOKENS_OUTPUT));
        assertEquals("Hi there", a.get(SpanNames.LLM_LAST_MESSAGE_PREVIEW));
        assertEquals("Hello! How are you today?", a.get(SpanNames.LLM_RESPONSE_PREVIEW));
        assertEquals(25L, a.get(SpanNames.LLM_RESPONSE_LENGTH));
        assertEquals(0L, a.get(SpanNames.LLM_TOOL_CALLS_COUNT));
        assertNotNull(a.get(SpanNames.LLM_DURATION_MS));
        assertTrue(a.get(SpanNames.LLM_REQUEST_SIZE) > "Hi there".length());
        assertTrue(a.get(SpanNames.LLM_INVOCATION_PARAMETERS).contains("\"model\":\"" + FakeOllama.MODEL + "\""));
        assertFalse(a.get(SpanNames.LLM_INVOCATION_PARAMETERS).contains("temperature"), "only what was sent");
        assertEquals(null, a.get(AttributeKey.doubleKey("gen_ai.request.temperature")), "not configured, not sent");
        assertEquals(null, a.get(AttributeKey.doubleKey("gen_ai.request.top_p")));
        assertEquals("system", a.get(str("llm.input_messages.0.message.role")));
        assertEquals("user", a.get(str("llm.input_messages.1.message.role")));
        assertEquals("Hi there", a.get(str("llm.input_messages.1.message.content")));
        assertEquals("assistant", a.get(str("llm.output_messages.0.message.role")));
        assertEquals("Hello! How are you today?", a.get(str("llm.output_messages.0.message.content")));
        assertTrue(a.get(str("llm.tools.0.tool.json_schema")).contains("\"type\":\"function\""));
        assertEquals("Hi there", a.get(SpanNames.INPUT_VALUE));
        assertEquals("Hello! How are you today?", a.get(SpanNames.OUTPUT_VALUE));

        assertTrue(ollama.chatHeaders().get(0).getOrDefault("traceparent", "").contains(traceId),
                "the traceparent sent to Ollama belongs to this trace");
        assertWholeTree(trace);
    }

    @Test
    void toolSchemasGoOnTheFirstLlmSpanOfAConversationOnly() throws Exception {
        ollama.nextChat().answer(FakeOllama.reply("First.", 10, 2));
        ollama.nextChat().answer(FakeOllama.reply("Second.", 20, 2));
        Response first = given().contentType(ContentType.JSON).body("{\"message\":\"one\"}")
                .when().post("/api/chat");
        first.then().statusCode(200);
        String conversationId = first.path("conversationId");
        String secondTrace = given().contentType(ContentType.JSON)
                .body("{\"message\":\"two\",\"conversationId\":\"" + conversationId + "\"}")
                .when().post("/api/chat").then().statusCode(200).extract().path("traceId");

        var opening = only(traceOf(first.path("traceId"), s -> s.getName().equals("chat")),
                s -> s.getName().equals(SpanNames.LLM_BLOCKING)).getAttributes();
        var next = only(traceOf(secondTrace, s -> s.getName().equals("chat")),
                s -> s.getName().equals(SpanNames.LLM_BLOCKING)).getAttributes();
        assertTrue(opening.get(str("llm.tools.0.tool.json_schema")).contains("\"type\":\"function\""));
        assertEquals(null, next.get(str("llm.tools.0.tool.json_schema")), "the same tools, not written again");
        assertEquals(opening.get(SpanNames.LLM_TOOL_COUNT), next.get(SpanNames.LLM_TOOL_COUNT));
        assertTrue(next.get(SpanNames.LLM_TOOL_COUNT) > 0);
    }

    @Test
    void toolRoundTripHasTwoLlmSpansAndAToolSpan() throws Exception {
        ollama.nextChat().answer(FakeOllama.toolCall("add", "{\"a\":5,\"b\":3}"));
        ollama.nextChat().answer(FakeOllama.reply("The result of 5 + 3 is 8.", 229, 13));

        String traceId = given().contentType(ContentType.JSON).body("{\"message\":\"Calculate 5 + 3\"}")
                .when().post("/api/chat").then().statusCode(200).extract().path("traceId");
        List<SpanData> trace = traceOf(traceId, s -> s.getName().equals("chat"));
        SpanData chat = only(trace, s -> s.getName().equals("chat"));
        List<SpanData> llms = trace.stream().filter(s -> s.getName().equals(SpanNames.LLM_BLOCKING))
                .sorted((x, y) -> Long.compare(x.getStartEpochNanos(), y.getStartEpochNanos())).toList();
        assertEquals(2, llms.size(), "one LLM span per model round trip");
        SpanData tool = only(trace, s -> s.getName().equals("tool add"));
        assertTrue(isDescendant(trace, tool, chat));
        assertTrue(tool.getStartEpochNanos() >= llms.get(0).getEndEpochNanos());
        assertTrue(tool.getEndEpochNanos() <= llms.get(1).getStartEpochNanos());

        var first = llms.get(0).getAttributes();
        assertEquals(1L, first.get(SpanNames.LLM_TOOL_CALLS_COUNT));
        assertEquals(List.of("add"), first.get(SpanNames.LLM_CALLED_TOOLS));
        assertEquals(List.of("tool_calls"), first.get(SpanNames.GEN_AI_FINISH_REASONS));
        assertEquals("add", first.get(str("llm.output_messages.0.message.tool_calls.0.tool_call.function.name")));
        assertEquals("{\"a\":5,\"b\":3}",
                first.get(str("llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments")));
        var second = llms.get(1).getAttributes();
        assertEquals("tool", second.get(str("llm.input_messages.3.message.role")));
        assertEquals("The sum of 5 and 3 is 8.", second.get(str("llm.input_messages.3.message.content")));
        assertEquals(229L, second.get(SpanNames.LLM_TOKEN_COUNT_PROMPT));

        var t = tool.getAttributes();
        assertEquals("TOOL", t.get(SpanNames.SPAN_KIND));
        assertEquals("add", t.get(SpanNames.TOOL_NAME));
        assertEquals("{\"a\":5,\"b\":3}", t.get(SpanNames.TOOL_PARAMETERS));
        assertEquals("{\"a\":5,\"b\":3}", t.get(SpanNames.INPUT_VALUE));
        assertEquals("The sum of 5 and 3 is 8.", t.get(SpanNames.OUTPUT_VALUE));
        assertEquals("calculator", t.get(SpanNames.MCP_SERVER));
        assertEquals(StatusCode.OK, tool.getStatus().getStatusCode());
        assertWholeTree(trace);
        assertTrue(trace.stream().noneMatch(s -> s.getName().startsWith("langchain4j.")),
                "no attribute-less AI-service or tool spans of quarkus-langchain4j: " + names(trace));
        assertEquals("call_k3x9q2ab",
                first.get(str("llm.output_messages.0.message.tool_calls.0.tool_call.id")), "Ollama's call id is kept");
        assertEquals("call_k3x9q2ab", t.get(SpanNames.TOOL_ID));
        assertEquals("call_k3x9q2ab", second.get(str("llm.input_messages.3.message.tool_call_id")));
        assertEquals("call_k3x9q2ab", second.get(str("llm.input_messages.2.message.tool_calls.0.tool_call.id")));
    }

    private static List<String> names(List<SpanData> trace) {
        return trace.stream().map(SpanData::getName).toList();
    }

    @Test
    void toolErrorMarksTheToolSpan() throws Exception {
        ollama.nextChat().answer(FakeOllama.toolCall("divide", "{\"a\":1,\"b\":0}"));
        ollama.nextChat().answer(FakeOllama.reply("Undefined.", 10, 2));
        String traceId = given().contentType(ContentType.JSON).body("{\"message\":\"1/0\"}")
                .when().post("/api/chat").then().statusCode(200).extract().path("traceId");
        SpanData tool = only(traceOf(traceId, s -> s.getName().equals("chat")),
                s -> s.getName().equals("tool divide"));
        assertEquals(StatusCode.ERROR, tool.getStatus().getStatusCode());
        assertEquals("tool_error", tool.getAttributes().get(SpanNames.ERROR_TYPE));
    }

    @Test
    void streamedChatHasAStreamingLlmSpanWithTimeToFirstToken() throws Exception {
        ollama.nextChat().line(ScriptedOllama.token("Hello")).line(ScriptedOllama.token(" there"))
                .line(ScriptedOllama.done(12, 2));
        String traceId;
        String traceparent;
        try (SseClient client = SseClient.post(RestAssured.port, "/api/chat/stream", "{\"message\":\"Hi\"}")) {
            traceparent = client.header("traceparent");
            List<SseClient.Event> events = client.rest();
            traceId = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(events.get(events.size() - 1).data()).get("traceId").asText();
        }
        assertTrue(traceparent.startsWith("00-" + traceId + "-"));
        List<SpanData> trace = traceOf(traceId, s -> s.getName().equals("chat"));
        SpanData chat = only(trace, s -> s.getName().equals("chat"));
        SpanData llm = only(trace, s -> s.getName().equals(SpanNames.LLM_STREAMING));
        assertEquals(chat.getSpanId(), llm.getParentSpanId());
        SpanData http = only(trace, s -> s.getParentSpanId().equals(llm.getSpanId()));
        assertTrue(http.getName().startsWith("POST"), http.getName());
        var a = llm.getAttributes();
        assertEquals("chat_streaming", a.get(SpanNames.LLM_OPERATION));
        assertEquals(12L, a.get(SpanNames.LLM_TOKEN_COUNT_PROMPT));
        assertEquals(2L, a.get(SpanNames.LLM_TOKEN_COUNT_COMPLETION));
        assertEquals("Hello there", a.get(SpanNames.OUTPUT_VALUE));
        assertNotNull(a.get(SpanNames.LLM_TIME_TO_FIRST_TOKEN_MS));
        assertNotNull(a.get(SpanNames.GEN_AI_TIME_TO_FIRST_CHUNK));
        assertTrue(llm.getEvents().stream().anyMatch(e -> e.getName().equals("first_token")));
        assertEquals("Hello there", chat.getAttributes().get(SpanNames.OUTPUT_VALUE));
        assertWholeTree(trace);
        // the call to Ollama is named after what it called, not after the route that served the stream
        awaitExported(traceId, s -> s.getParentSpanId().isEmpty());
        List<String> exported = exportedNames(traceId);
        assertTrue(exported.contains("ollama POST /api/chat"), exported.toString());
        assertTrue(exported.stream().noneMatch(n -> n.startsWith("ollama POST /api/chat/")), exported.toString());
    }

    /** The names of a trace's spans as the OTLP receiver got them. */
    private List<String> exportedNames(String traceId) {
        return receiver.exports().stream().flatMap(e -> e.request().getResourceSpansList().stream())
                .flatMap(r -> r.getScopeSpansList().stream()).flatMap(s -> s.getSpansList().stream())
                .filter(s -> java.util.HexFormat.of().formatHex(s.getTraceId().toByteArray()).equals(traceId))
                .map(io.opentelemetry.proto.trace.v1.Span::getName).toList();
    }

    @Test
    void failedChatMarksSpansAsErrors() throws Exception {
        ollama.nextChat().fail(404, "error-model-not-found-404.json");
        Response response = given().contentType(ContentType.JSON).body("{\"message\":\"hi\"}").when().post("/api/chat");
        response.then().statusCode(502);
        String traceId = response.header("traceparent").split("-")[1];
        List<SpanData> trace = traceOf(traceId, s -> s.getName().equals("chat"));
        SpanData chat = only(trace, s -> s.getName().equals("chat"));
        SpanData llm = only(trace, s -> s.getName().equals(SpanNames.LLM_BLOCKING));
        assertEquals(StatusCode.ERROR, chat.getStatus().getStatusCode());
        assertEquals("ollama-model-not-found", chat.getAttributes().get(SpanNames.ERROR_TYPE));
        assertTrue(chat.getEvents().stream().anyMatch(e -> e.getName().equals("exception")));
        assertEquals(StatusCode.ERROR, llm.getStatus().getStatusCode());
        assertWholeTree(trace);
        // the server span's instrumentation drops the message when it sets ERROR for the 502: Phoenix still gets one
        io.opentelemetry.proto.trace.v1.Span exportedRoot = awaitExported(traceId, s -> s.getParentSpanId().isEmpty());
        assertEquals(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR,
                exportedRoot.getStatus().getCode());
        assertTrue(exportedRoot.getStatus().getMessage().contains("does not have the model"),
                exportedRoot.getStatus().getMessage());
    }

    @Test
    void aStreamThatFailsAfterItsFirstEventMarksItsRootAnError() throws Exception {
        ollama.nextChat().line(ScriptedOllama.token("Half")).line("{\"error\":\"model crashed\"}");
        String traceId;
        try (SseClient client = SseClient.post(RestAssured.port, "/api/chat/stream", "{\"message\":\"go\"}")) {
            assertEquals(200, client.status());
            traceId = client.header("traceparent").split("-")[1];
            List<String> names = client.rest().stream().map(SseClient.Event::name).toList();
            assertTrue(names.contains("error"), names.toString());
        }
        List<SpanData> trace = traceOf(traceId, s -> s.getName().equals("chat"));
        SpanData server = only(trace, s -> s.getKind() == SpanKind.SERVER);
        SpanData chat = only(trace, s -> s.getName().equals("chat"));
        assertEquals(StatusCode.ERROR, chat.getStatus().getStatusCode());
        assertEquals(StatusCode.ERROR, server.getStatus().getStatusCode(), "HTTP 200, but the stream failed");
        assertTrue(server.getStatus().getDescription().contains("model crashed"), server.getStatus().getDescription());
        assertEquals("ollama-stream-error", server.getAttributes().get(SpanNames.ERROR_TYPE));
    }

    @Test
    void cancelledStreamEndsEverySpanMarkedCancelled() throws Exception {
        ScriptedOllama.Script script = ollama.nextChat().line(ScriptedOllama.token("Once"));
        for (int i = 0; i < 200; i++) {
            script.pause(25).line(ScriptedOllama.token(" upon"));
        }
        String traceId;
        try (SseClient client = SseClient.post(RestAssured.port, "/api/chat/stream", "{\"message\":\"story\"}")) {
            traceId = client.header("traceparent").split("-")[1];
            client.next();
        }
        assertTrue(ollama.awaitConnectionClosed(5, TimeUnit.SECONDS));
        List<SpanData> trace = traceOf(traceId, s -> s.getName().equals("chat"));
        SpanData chat = only(trace, s -> s.getName().equals("chat"));
        SpanData llm = only(trace, s -> s.getName().equals(SpanNames.LLM_STREAMING));
        assertEquals(Boolean.TRUE, chat.getAttributes().get(SpanNames.CANCELLED));
        assertEquals(Boolean.TRUE, llm.getAttributes().get(SpanNames.CANCELLED));
        assertTrue(llm.getEndEpochNanos() <= chat.getEndEpochNanos(), "the child ended before its parent");
        assertTrue(llm.getAttributes().get(SpanNames.OUTPUT_VALUE).startsWith("Once"),
                "the LLM span has the text the user saw: " + llm.getAttributes().get(SpanNames.OUTPUT_VALUE));
        assertEquals(llm.getAttributes().get(SpanNames.OUTPUT_VALUE),
                llm.getAttributes().get(AttributeKey.stringKey("llm.output_messages.0.message.content")));
        assertWholeTree(trace, true);
        // one way on every span of the turn, as Phoenix gets them: ERROR, cancelled, with the same message
        for (String name : List.of("chat", SpanNames.LLM_STREAMING, "root")) {
            io.opentelemetry.proto.trace.v1.Span exported = awaitExported(traceId,
                    s -> name.equals("root") ? s.getParentSpanId().isEmpty() : s.getName().equals(name));
            assertEquals(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR,
                    exported.getStatus().getCode(), name);
            assertEquals("cancelled: the client went away before the answer was complete",
                    exported.getStatus().getMessage(), name);
            assertTrue(exported.getAttributesList().stream().anyMatch(kv -> kv.getKey().equals("error.type")
                    && kv.getValue().getStringValue().equals("cancelled")), name + ": " + exported);
        }
    }

    @Test
    void exportGoesToPhoenixPathWithProjectHeadersKeyAndResource() throws Exception {
        ollama.nextChat().answer(FakeOllama.reply("Exported.", 3, 1));
        given().contentType(ContentType.JSON).body("{\"message\":\"export me\"}")
                .when().post("/api/chat").then().statusCode(200);
        OtlpReceiver.Export export = awaitExportWith("chat");
        assertEquals("/v1/traces", export.path(), "the guide's .../v1/traces spelling is not doubled");
        assertEquals("application/x-protobuf", export.headers().get("content-type"));
        assertEquals(TelemetryResources.PROJECT, export.headers().get("x-project-name"));
        assertEquals(TelemetryResources.PROJECT, export.headers().get("x-phoenix-project-name"));
        assertEquals("Bearer " + TelemetryResources.API_KEY, export.headers().get("authorization"));
        Map<String, String> resource = export.request().getResourceSpans(0).getResource().getAttributesList()
                .stream().collect(Collectors.toMap(KeyValue::getKey, kv -> kv.getValue().getStringValue(),
                        (x, y) -> x));
        assertEquals("ollama-client", resource.get("service.name"));
        assertEquals(TelemetryResources.PROJECT, resource.get("openinference.project.name"));
        assertEquals(TelemetryResources.PROJECT, resource.get("phoenix.project.name"));
        assertEquals("development", resource.get("deployment.environment"));
        assertNotNull(resource.get("service.version"));
        String everySpan = receiver.exports().stream().map(e -> e.request().toString())
                .collect(Collectors.joining());
        assertFalse(everySpan.contains(TelemetryResources.API_KEY), "the key is never in a span");
    }

    @Test
    void aTraceGoesWhollyToTheProjectItsRequestNamedAndOthersStayInTheDefault() throws Exception {
        ollama.nextChat().answer(FakeOllama.reply("Routed.", 3, 1));
        String routed = given().contentType(ContentType.JSON)
                .body("{\"message\":\"route me\",\"project\":\"" + TelemetryResources.OTHER_PROJECT + "\"}")
                .when().post("/api/chat").then().statusCode(200).extract().path("traceId");
        ollama.nextChat().answer(FakeOllama.reply("Stayed.", 3, 1));
        String stayed = given().contentType(ContentType.JSON).body("{\"message\":\"keep me\"}")
                .when().post("/api/chat").then().statusCode(200).extract().path("traceId");
        traceOf(routed, s -> s.getName().equals("chat"));
        traceOf(stayed, s -> s.getName().equals("chat"));
        Map<String, Set<String>> projectsByTrace = new java.util.HashMap<>();
        Map<String, Integer> spansByTrace = new java.util.HashMap<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int expected = (int) spans.all().stream().filter(s -> s.getTraceId().equals(routed)).count();
        int expectedStayed = (int) spans.all().stream().filter(s -> s.getTraceId().equals(stayed)).count();
        while (System.nanoTime() < deadline && (spansByTrace.getOrDefault(routed, 0) < expected
                || spansByTrace.getOrDefault(stayed, 0) < expectedStayed)) {
            projectsByTrace.clear();
            spansByTrace.clear();
            for (OtlpReceiver.Export export : receiver.exports()) {
                export.request().getResourceSpansList().stream().flatMap(r -> r.getScopeSpansList().stream())
                        .flatMap(s -> s.getSpansList().stream()).forEach(span -> {
                            String trace = java.util.HexFormat.of().formatHex(span.getTraceId().toByteArray());
                            projectsByTrace.computeIfAbsent(trace, t -> new java.util.TreeSet<>())
                                    .add(export.headers().get("x-project-name"));
                            spansByTrace.merge(trace, 1, Integer::sum);
                        });
            }
            Thread.sleep(50);
        }
        assertTrue(expected >= 3, "server, chat, LLM and client spans: " + expected);
        assertEquals(expected, spansByTrace.get(routed), "every span of the routed trace was exported");
        assertEquals(Set.of(TelemetryResources.OTHER_PROJECT), projectsByTrace.get(routed));
        assertEquals(Set.of(TelemetryResources.PROJECT), projectsByTrace.get(stayed));

        given().contentType(ContentType.JSON).body("{\"message\":\"Hi\",\"project\":\"elsewhere\"}")
                .when().post("/api/chat").then().statusCode(400)
                .body("detail", org.hamcrest.Matchers.containsString("'project' must be one of "
                        + TelemetryResources.PROJECT + ", " + TelemetryResources.OTHER_PROJECT));
    }

    /** The first span of the trace that the receiver got and that matches. */
    private io.opentelemetry.proto.trace.v1.Span awaitExported(String traceId,
            java.util.function.Predicate<io.opentelemetry.proto.trace.v1.Span> matching) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            Optional<io.opentelemetry.proto.trace.v1.Span> found = receiver.exports().stream()
                    .flatMap(e -> e.request().getResourceSpansList().stream())
                    .flatMap(r -> r.getScopeSpansList().stream()).flatMap(s -> s.getSpansList().stream())
                    .filter(s -> java.util.HexFormat.of().formatHex(s.getTraceId().toByteArray()).equals(traceId))
                    .filter(matching).findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no such exported span in trace " + traceId);
    }

    private OtlpReceiver.Export awaitExportWith(String spanName) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            Optional<OtlpReceiver.Export> found = receiver.exports().stream()
                    .filter(e -> e.request().getResourceSpansList().stream()
                            .flatMap(r -> r.getScopeSpansList().stream())
                            .flatMap(s -> s.getSpansList().stream()).anyMatch(s -> s.getName().equals(spanName)))
                    .findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no export with a '" + spanName + "' span; got " + receiver.exports().size()
                + " exports and these failures: " + receiver.failures());
    }

    @Test
    void theRequestsLabelsAreOnTheRootAndChatSpansOfBothEndpoints() throws Exception {
        String labels = ",\"metadata\":{\"team\":\"search\",\"experiment\":2,\"beta\":true},"
                + "\"tags\":[\"canary\",\"eu-west\"],\"user\":\"ada\"}";
        ollama.nextChat().answer(FakeOllama.reply("Labelled.", 3, 2));
        String traceId = given().contentType(ContentType.JSON).body("{\"message\":\"Hi\"" + labels)
                .when().post("/api/chat").then().statusCode(200).extract().path("traceId");
        ollama.nextChat().answer(FakeOllama.reply("Labelled.", 3, 2));
        String streamed;
        try (SseClient stream = SseClient.post(RestAssured.port, "/api/chat/stream", "{\"message\":\"Hi\"" + labels)) {
            List<SseClient.Event> events = stream.rest();
            streamed = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(events.get(events.size() - 1).data()).path("traceId").asText();
        }
        for (String id : List.of(traceId, streamed)) {
            List<SpanData> trace = traceOf(id, s -> s.getName().equals("chat"));
            SpanData chat = only(trace, s -> s.getName().equals("chat"));
            SpanData root = only(trace, s -> !s.getParentSpanContext().isValid());
            for (SpanData span : List.of(chat, root)) {
                assertEquals("ada", span.getAttributes().get(SpanNames.USER_ID), span.getName());
                assertEquals("{\"team\":\"search\",\"experiment\":2,\"beta\":true}",
                        span.getAttributes().get(SpanNames.METADATA), span.getName());
                assertEquals(List.of("canary", "eu-west"), span.getAttributes().get(SpanNames.TAGS), span.getName());
            }
        }
    }

    private List<SpanData> traceOf(String traceId, java.util.function.Predicate<SpanData> last)
            throws InterruptedException {
        spans.awaitSpan(s -> s.getTraceId().equals(traceId) && last.test(s));
        // the root (the request's server span) ends after every span under it
        spans.awaitSpan(s -> s.getTraceId().equals(traceId) && !s.getParentSpanContext().isValid());
        return spans.all().stream().filter(s -> s.getTraceId().equals(traceId)).toList();
    }

    /** Every span's parent is in the trace (or it is the root), and children start and end inside parents. */
    private static void assertWholeTree(List<SpanData> trace) {
        assertWholeTree(trace, false);
    }

    /**
     * On a client disconnect, Vert.x ends the HTTP server span as the connection closes (before the cancellation
     * reaches our spans) and the HTTP client span to Ollama once its connection is reset (after); {@code cancelled}
     * allows those two, and only those, to break the end-time containment.
     */
    private static void assertWholeTree(List<SpanData> trace, boolean cancelled) {
        Map<String, SpanData> byId = trace.stream().collect(Collectors.toMap(SpanData::getSpanId, s -> s));
        long roots = trace.stream().filter(s -> !s.getParentSpanContext().isValid()).count();
        assertEquals(1, roots, "one root: " + trace.stream().map(SpanData::getName).toList());
        for (SpanData span : trace) {
            assertTrue(span.hasEnded(), span.getName() + " ended");
            if (span.getParentSpanContext().isValid()) {
                SpanData parent = byId.get(span.getParentSpanId());
                assertNotNull(parent, span.getName() + " has its parent in the trace");
                assertTrue(span.getStartEpochNanos() >= parent.getStartEpochNanos(), span.getName());
                boolean httpSpan = parent.getKind() == SpanKind.SERVER
                        || (span.getKind() == SpanKind.CLIENT && span.getName().startsWith("POST"));
                if (!(cancelled && httpSpan)) {
                    assertTrue(span.getEndEpochNanos() <= parent.getEndEpochNanos(),
                            span.getName() + " ends inside " + parent.getName());
                }
            }
        }
    }

    private static boolean isDescendant(List<SpanData> trace, SpanData child, SpanData ancestor) {
        Map<String, SpanData> byId = trace.stream().collect(Collectors.toMap(SpanData::getSpanId, s -> s));
        for (SpanData s = child; s != null; s = byId.get(s.getParentSpanId())) {
            if (s.getParentSpanId().equals(ancestor.getSpanId())) {
                return true;
            }
        }
        return false;
    }

    private static SpanData only(List<SpanData> trace, java.util.function.Predicate<SpanData> condition) {
        List<SpanData> matching = trace.stream().filter(condition).toList();
        assertEquals(1, matching.size(), "spans: " + trace.stream().map(s -> s.getName() + "[" + s.getSpanId() + "<" + s.getParentSpanId() + "]").toList());
        return matching.get(0);
    }

    private static AttributeKey<String> str(String key) {
        return AttributeKey.stringKey(key);
    }
}
