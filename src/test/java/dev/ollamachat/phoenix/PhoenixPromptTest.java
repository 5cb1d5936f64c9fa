package dev.ollamachat.phoenix;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamachat.support.CapturedSpans;
import dev.ollamachat.support.FakeOllama;
import dev.ollamachat.support.FakeOllamaResource;
import dev.ollamachat.support.FakeOllamaResource.InjectFakeOllama;
import dev.ollamachat.support.LogCapture;
import dev.ollamachat.support.OtlpReceiver;
import dev.ollamachat.support.TelemetryResources.InjectOtlpReceiver;
import dev.ollamachat.support.TelemetryResources.WithPhoenixPrompt;
import dev.ollamachat.telemetry.SpanNames;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** PHOENIX_PROMPT: the system prompt of new conversations comes from Phoenix's prompt registry, and is traced. */
@QuarkusTest
@TestProfile(PhoenixPromptTest.WithPrompt.class)
class PhoenixPromptTest {

    public static class WithPrompt implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(FakeOllamaResource.class),
                    new TestResourceEntry(WithPhoenixPrompt.class));
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    @InjectFakeOllama
    FakeOllama ollama;

    @InjectOtlpReceiver
    OtlpReceiver phoenix;

    @Inject
    CapturedSpans spans;

    private final LogCapture log = new LogCapture(PhoenixPrompts.class.getName());

    @Inject
    dev.ollamachat.chat.SystemPrompts prompts;

    @BeforeEach
    void reset() throws InterruptedException {
        phoenix.servePrompt(WithPhoenixPrompt.PROMPT, WithPhoenixPrompt.TAG, WithPhoenixPrompt.VERSION,
                WithPhoenixPrompt.TEXT);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!WithPhoenixPrompt.VERSION.equals(prompts.current().version()) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(WithPhoenixPrompt.VERSION, prompts.current().version(), "read at start-up or since");
        ollama.reset();
        ollama.answerChatWith("Arr, 8 it be.", 20, 6);
        spans.reset();
        log.start();
    }

    @AfterEach
    void stopLog() {
        log.stop();
    }

    @Test
    void thePhoenixPromptIsTheSystemPromptAndItsVersionIsOnTheLlmSpan() throws Exception {
        String traceId = chat(null).path("traceId").asText();
        assertEquals(WithPhoenixPrompt.TEXT, systemMessageSent(0));
        SpanData llm = llmSpanOf(traceId);
        assertEquals(WithPhoenixPrompt.TEXT, llm.getAttributes().get(SpanNames.LLM_PROMPT_TEMPLATE));
        assertEquals(WithPhoenixPrompt.VERSION, llm.getAttributes().get(SpanNames.LLM_PROMPT_TEMPLATE_VERSION));
        assertEquals("{}", llm.getAttributes().get(SpanNames.LLM_PROMPT_TEMPLATE_VARIABLES));
    }

    @Test
    void aNewVersionReachesNewConversationsWhileStartedOnesKeepTheirs() throws Exception {
        String started = chat(null).path("conversationId").asText();
        phoenix.servePrompt(WithPhoenixPrompt.PROMPT, WithPhoenixPrompt.TAG, "UHJvbXB0VmVyc2lvbjoy",
                "You are a parrot. Repeat the question.");
        log.await(Level.INFO, "version UHJvbXB0VmVyc2lvbjoy");
        chat(null);
        assertEquals(List.of(WithPhoenixPrompt.TEXT, "You are a parrot. Repeat the question."),
                List.of(systemMessageSent(0), systemMessageSent(1)));

        String traceId = chat(started).path("traceId").asText();
        assertEquals(WithPhoenixPrompt.TEXT, systemMessageSent(2), "a conversation keeps the prompt it started with");
        assertEquals(WithPhoenixPrompt.VERSION,
                llmSpanOf(traceId).getAttributes().get(SpanNames.LLM_PROMPT_TEMPLATE_VERSION));
    }

    @Test
    void aPromptThatCannotBeReadLeavesTheLastOneInUseAndIsSaidOnce() throws Exception {
        phoenix.removePrompts();
        log.await(Level.WARNING, "cannot be read");
        int reads = phoenix.promptReads();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (phoenix.promptReads() < reads + 2 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(phoenix.promptReads() >= reads + 2, "read again every second");
        List<String> warnings = log.atLeast(Level.WARNING);
        assertEquals(1, warnings.size(), "said once: " + warnings);
        assertTrue(warnings.get(0).contains("Phoenix has no such prompt, tag or version"), warnings.toString());
        assertTrue(warnings.get(0).contains("the last read prompt"), warnings.toString());
        chat(null);
        assertEquals(WithPhoenixPrompt.TEXT, systemMessageSent(0), "the last prompt read stays in use");

        phoenix.servePrompt(WithPhoenixPrompt.PROMPT, WithPhoenixPrompt.TAG, WithPhoenixPrompt.VERSION,
                WithPhoenixPrompt.TEXT);
        log.await(Level.INFO, "can be read again");
    }

    private SpanData llmSpanOf(String traceId) throws InterruptedException {
        return spans.awaitSpan(s -> s.getTraceId().equals(traceId) && s.getName().equals(SpanNames.LLM_BLOCKING))
                .stream().filter(s -> s.getTraceId().equals(traceId) && s.getName().equals(SpanNames.LLM_BLOCKING))
                .findFirst().orElseThrow();
    }

    private JsonNode chat(String conversationId) throws Exception {
        String body = conversationId == null ? "{\"message\":\"What is 5 + 3?\"}"
                : "{\"message\":\"And 2 + 2?\",\"conversationId\":\"" + conversationId + "\"}";
        return JSON.readTree(given().contentType(ContentType.JSON).body(body).post("/api/chat").then()
                .statusCode(200).extract().asString());
    }

    private String systemMessageSent(int call) throws Exception {
        JsonNode sent = JSON.readTree(ollama.chatRequests().get(call).getBodyAsString());
        JsonNode first = sent.path("messages").get(0);
        assertEquals("system", first.path("role").asText());
        return first.path("content").asText();
    }
}
