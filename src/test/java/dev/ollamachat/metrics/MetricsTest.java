package dev.ollamachat.metrics;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ollamachat.support.FakeOllama;
import dev.ollamachat.support.FakeOllamaResource;
import dev.ollamachat.support.FakeOllamaResource.InjectFakeOllama;
import dev.ollamachat.support.SseClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** /q/metrics after chats: the GenAI client metrics, tool calls, turns, streams and conversations, without text. */
@QuarkusTest
@WithTestResource(FakeOllamaResource.class)
class MetricsTest {

    @InjectFakeOllama
    FakeOllama ollama;

    @Test
    void aChatWithAToolCallShowsUpInTheMetrics() throws Exception {
        ollama.reset();
        String before = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        ollama.answerWithToolCall("add", "{\"a\":5,\"b\":3}", "The result of 5 + 3 is 8.");
        given().contentType(ContentType.JSON).body("{\"message\":\"Calculate 5 + 3, secret-ish words\"}")
                .when().post("/api/chat").then().statusCode(200);
        try (SseClient stream = SseClient.post(RestAssured.port, "/api/chat/stream",
                "{\"message\":\"Calculate 5 + 3 again\"}")) {
            stream.rest();
        }
        String after = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        Delta metrics = new Delta(before, after);

        String model = "gen_ai_request_model=\"" + FakeOllama.MODEL + "\"";
        // two turns, each a call that asks for the tool and a call that answers
        assertEquals(4, metrics.of("gen_ai_client_operation_duration_seconds_count", model,
                "server_address=\"localhost\"", "error_type=\"none\""));
        assertEquals(2 * (187 + 229), metrics.of("gen_ai_client_token_usage_tokens_sum", model,
                "gen_ai_token_type=\"input\""), "the prompt tokens of the tool-call replies and the final ones");
        assertEquals(2 * (22 + 13), metrics.of("gen_ai_client_token_usage_tokens_sum", model,
                "gen_ai_token_type=\"output\""));
        assertEquals(2, metrics.of("ollama_chat_llm_time_to_first_token_seconds_count", model),
                "the final answers' first tokens (a tool-call reply has no text token)");
        assertEquals(2, metrics.of("ollama_chat_tool_calls_seconds_count", "gen_ai_tool_name=\"add\"",
                "outcome=\"ok\"", "server=\"calculator\""));
        assertEquals(1, metrics.of("ollama_chat_chat_turns_seconds_count", "endpoint=\"chat\"",
                "outcome=\"completed\""));
        assertEquals(1, metrics.of("ollama_chat_chat_turns_seconds_count", "endpoint=\"stream\"",
                "outcome=\"completed\""));
        assertEquals(0, value(after, "ollama_chat_streams_active"));
        assertTrue(value(after, "ollama_chat_conversations") >= 0, "the conversation store's size is a gauge");
        assertFalse(after.contains("secret-ish") || after.contains("Calculate"), "no message text in labels");
    }

    /** What changed between two scrapes (other test classes may share this application and its counters). */
    private record Delta(String before, String after) {
        double of(String name, String... labels) {
            double earlier = before.lines().anyMatch(l -> l.startsWith(name) && Arrays.stream(labels)
                    .allMatch(l::contains)) ? value(before, name, labels) : 0;
            return value(after, name, labels) - earlier;
        }
    }

    /** The sum of the samples of this metric whose labels include all of these. */
    private static double value(String metrics, String name, String... labels) {
        List<String> lines = Arrays.stream(metrics.split("\n"))
                .filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
                .filter(line -> Arrays.stream(labels).allMatch(line::contains)).toList();
        assertFalse(lines.isEmpty(), name + " with " + List.of(labels) + " in:\n" + metrics.lines()
                .filter(l -> l.startsWith(name)).toList());
        return lines.stream().mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }
}
