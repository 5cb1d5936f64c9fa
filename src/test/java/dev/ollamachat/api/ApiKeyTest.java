package dev.ollamachat.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ollamachat.support.CapturedSpans;
import dev.ollamachat.support.FakeOllama;
import dev.ollamachat.support.FakeOllamaResource;
import dev.ollamachat.support.FakeOllamaResource.InjectFakeOllama;
import dev.ollamachat.support.SseClient;
import dev.ollamachat.support.TelemetryResources;
import dev.ollamachat.telemetry.SpanNames;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** CHAT_API_KEYS: /api/* and /mcp need a key; health and the page stay open; the key's name is the trace's user. */
@QuarkusTest
@TestProfile(ApiKeyTest.WithKeys.class)
class ApiKeyTest {

    static final String ALICE_KEY = "alice-key-0123456789";
    static final String OTHER_KEY = "another-key-98765";

    public static class WithKeys implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("ollama-chat.auth.api-keys", "alice:" + ALICE_KEY + "," + OTHER_KEY);
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(FakeOllamaResource.class),
                    new TestResourceEntry(TelemetryResources.class));
        }
    }

    @InjectFakeOllama
    FakeOllama ollama;

    @Inject
    CapturedSpans spans;

    @BeforeEach
    void reset() {
        ollama.reset();
        spans.reset();
    }

    @Test
    void withoutAKeyEveryGuardedPathIs401ProblemAndNothingRuns() {
        ollama.answerChatWith("never", 1, 1);
        unauthorized(given().contentType(ContentType.JSON).body("{\"message\":\"hi\"}").post("/api/chat").then());
        unauthorized(given().contentType(ContentType.JSON).body("{\"message\":\"hi\"}").post("/api/chat/stream")
                .then());
        unauthorized(given().get("/api/chat/stream?message=hi").then());
        unauthorized(given().get("/api/tools").then());
        unauthorized(given().get("/api/models").then());
        unauthorized(given().get("/api/conversations").then());
        unauthorized(given().get("/api/conversations/abc").then());
        unauthorized(given().delete("/api/conversations/abc").then());
        unauthorized(given().contentType(ContentType.JSON)
                .body("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}").post("/mcp").then());
        assertEquals(0, ollama.chatRequests().size());
    }

    @Test
    void aWrongKeyIs401Too() {
        unauthorized(given().header("Authorization", "Bearer not-a-key-at-all").get("/api/tools").then());
        unauthorized(given().header("Authorization", "Basic YWxpY2U6eA==").get("/api/tools").then());
    }

    @Test
    void healthAndThePageStayOpen() {
        given().get("/q/health/live").then().statusCode(200);
        given().get("/").then().statusCode(200);
    }

    @Test
    void withTheKeyTheChatRunsItsToolThroughTheServicesOwnMcpServerAndTheTraceNamesTheUser()
            throws Exception {
        ollama.answerWithToolCall("add", "{\"a\":5,\"b\":3}", "The result of 5 + 3 is 8.");
        // a 'user' in the body does not change who asks when keys are on: the key's name wins
        String traceId = alice().contentType(ContentType.JSON)
                .body("{\"message\":\"Calculate 5 + 3\",\"user\":\"mallory\"}")
                .post("/api/chat").then().statusCode(200)
                .body("toolCalls[0].result", equalTo("The sum of 5 and 3 is 8."))
                .extract().path("traceId");
        List<SpanData> found = spans.awaitSpan(s -> s.getTraceId().equals(traceId) && s.getName().equals("chat"));
        SpanData chat = found.stream().filter(s -> s.getTraceId().equals(traceId) && s.getName().equals("chat"))
                .findFirst().orElseThrow();
        assertEquals("alice", chat.getAttributes().get(SpanNames.USER_ID));
    }

    @Test
    void withTheKeyTheStreamAnswers() throws Exception {
        ollama.answerChatWith("Hello.", 3, 1);
        try (SseClient client = SseClient.post(RestAssured.port, "/api/chat/stream", "{\"message\":\"hi\"}",
                Map.of("Authorization", "Bearer " + ALICE_KEY))) {
            assertEquals(200, client.status());
            List<String> names = client.rest().stream().map(SseClient.Event::name).toList();
            assertTrue(names.get(names.size() - 1).equals("done"), names.toString());
        }
        alice().get("/api/tools").then().statusCode(200);
    }

    @Test
    void aConversationBelongsToTheKeyThatStartedItAndIsListedOnlyForIt() {
        ollama.answerChatWith("Noted.", 3, 1);
        String id = alice().contentType(ContentType.JSON).body("{\"message\":\"My PIN is 1234\"}")
                .post("/api/chat").then().statusCode(200).extract().path("conversationId");

        alice().get("/api/conversations").then().statusCode(200)
                .body("conversations.id", hasItem(id))
                .body("conversations.find { it.id == '" + id + "' }.firstMessage", equalTo("My PIN is 1234"))
                .body("conversations.find { it.id == '" + id + "' }.messages", equalTo(3));

        RequestSpecification other = given().header("Authorization", "Bearer " + OTHER_KEY);
        other.get("/api/conversations").then().statusCode(200).body("conversations.id", not(hasItem(id)));
        given().header("Authorization", "Bearer " + OTHER_KEY).get("/api/conversations/" + id).then()
                .statusCode(404).body("detail", not(containsString("PIN")));
        given().header("Authorization", "Bearer " + OTHER_KEY).contentType(ContentType.JSON)
                .body("{\"message\":\"What is the PIN?\",\"conversationId\":\"" + id + "\"}")
                .post("/api/chat").then().statusCode(404).contentType("application/problem+json");
        given().header("Authorization", "Bearer " + OTHER_KEY).delete("/api/conversations/" + id).then()
                .statusCode(404);
        assertEquals(1, ollama.chatRequests().size(), "the other key's message never reached the model");

        alice().get("/api/conversations/" + id).then().statusCode(200).body("messages", hasSize(3));
        alice().delete("/api/conversations/" + id).then().statusCode(204);
    }

    private static RequestSpecification alice() {
        return given().header("Authorization", "Bearer " + ALICE_KEY);
    }

    private static void unauthorized(ValidatableResponse response) {
        response.statusCode(401)
                .header("WWW-Authenticate", startsWith("Bearer"))
                .contentType("application/problem+json")
                .body("type", equalTo("urn:ollama-chat:problem:unauthorized"))
                .body("status", equalTo(401));
    }
}
