package dev.ollamachat.telemetry;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ollamachat.support.FakeOllama;
import dev.ollamachat.support.OtlpReceiver;
import dev.ollamachat.support.ScriptedOllama;
import dev.ollamachat.support.ScriptedOllamaResource;
import dev.ollamachat.support.ScriptedOllamaResource.InjectScriptedOllama;
import dev.ollamachat.support.SseClient;
import dev.ollamachat.support.TelemetryResources;
import dev.ollamachat.support.TelemetryResources.InjectOtlpReceiver;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** TELEMETRY_CAPTURE_CONTENT=false: what the user and the model wrote never leaves in a span. */
@QuarkusTest
@TestProfile(ContentCaptureOffTest.CaptureOff.class)
class ContentCaptureOffTest {

    public static class CaptureOff implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("ollama-chat.telemetry.capture-content", "false");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(ScriptedOllamaResource.class),
                    new TestResourceEntry(TelemetryResources.class));
        }
    }

    private static final String SECRET_QUESTION = "my-private-question-4711";
    private static final String SECRET_ANSWER = "private-answer-0815";

    @InjectScriptedOllama
    ScriptedOllama ollama;

    @InjectOtlpReceiver
    OtlpReceiver receiver;

    @Test
    void noUserOrModelTextInTheExportedPayload() throws Exception {
        ollama.reset();
        receiver.reset();
        // long enough not to turn up by chance among the digits of the spans' timestamps in the payload's text form
        // (a four-digit argument did, now and then)
        ollama.nextChat().answer(FakeOllama.toolCall("add", "{\"a\":47114711,\"b\":815}"));
        ollama.nextChat().answer(FakeOllama.reply(SECRET_ANSWER, 20, 4));
        given().contentType(ContentType.JSON).body("{\"message\":\"" + SECRET_QUESTION + "\"}")
                .when().post("/api/chat").then().statusCode(200);
        ollama.nextChat().line(ScriptedOllama.token(SECRET_ANSWER)).line(ScriptedOllama.done(3, 1));
        String query = "?message=" + URLEncoder.encode(SECRET_QUESTION, StandardCharsets.UTF_8);
        try (SseClient client = SseClient.get(RestAssured.port, "/api/chat/stream" + query)) {
            assertEquals(200, client.status());
            client.rest();
        }

        String payload = awaitPayloadWith(List.of("chat", "tool add", SpanNames.LLM_STREAMING));
        assertTrue(payload.contains("llm.token_count.prompt"), "the spans are there, with their counts");
        assertFalse(payload.contains(SECRET_QUESTION), "no user text");
        assertFalse(payload.contains(SECRET_ANSWER), "no model text");
        assertFalse(payload.contains("47114711"), "no tool arguments");
        assertFalse(payload.contains("The sum of"), "no tool results");
        assertFalse(payload.contains("helpful assistant"), "no system prompt");
    }

    private String awaitPayloadWith(List<String> spanNames) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            List<io.opentelemetry.proto.trace.v1.Span> exported = receiver.exports().stream()
                    .flatMap(e -> e.request().getResourceSpansList().stream())
                    .flatMap(r -> r.getScopeSpansList().stream())
                    .flatMap(s -> s.getSpansList().stream()).toList();
            List<String> seen = exported.stream().map(io.opentelemetry.proto.trace.v1.Span::getName).toList();
            // a request's server span, the root of its trace, ends after every span under it: once both roots are
            // exported, every span of the two chats has been
            long roots = exported.stream().filter(span -> span.getParentSpanId().isEmpty()).count();
            if (seen.containsAll(spanNames) && seen.stream().filter("chat"::equals).count() == 2 && roots == 2) {
                return receiver.exports().stream().map(e -> e.request().toString())
                        .collect(Collectors.joining("\n"));
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the two chats' traces were not exported whole in time: " + receiver.exports().size()
                + " exports");
    }
}
