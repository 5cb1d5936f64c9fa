package dev.ollamachat.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamachat.support.FakeOllama;
import dev.ollamachat.support.FakeOllamaResource;
import dev.ollamachat.support.FakeOllamaResource.InjectFakeOllama;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(FakeOllamaResource.class)
class ConversationResourceTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @InjectFakeOllama
    FakeOllama ollama;

    @BeforeEach
    void resetOllama() {
        ollama.reset();
    }

    @Test
    void theListShowsConversationsMostRecentlyUsedFirstWithTheirFirstMessage() {
        ollama.answerChatWith("Sure.", 3, 1);
        String first = chat(null, "Plan a trip to Lisbon");
        String second = chat(null, "Explain monads");
        given().when().get("/api/conversations")
                .then().statusCode(200)
                .body("conversations[0].id", equalTo(second))
                .body("conversations[0].firstMessage", equalTo("Explain monads"))
                .body("conversations[0].messages", equalTo(3))
                .body("conversations[0].lastUsed", org.hamcrest.Matchers.matchesPattern("\\d{4}-\\d\\d-\\d\\dT.*Z"))
                .body("conversations[1].id", equalTo(first));
        given().when().delete("/api/conversations/" + second).then().statusCode(204);
        given().when().get("/api/conversations")
                .then().statusCode(200)
                .body("conversations.id", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem(second)));
    }

    @Test
    void conversationKeepsItsMessagesAndSendsThemBackToTheModel() throws Exception {
        ollama.answerChatWith("Nice to meet you, Ada.", 20, 6);
        String id = chat(null, "My name is Ada.");
        ollama.answerChatWith("Your name is Ada.", 40, 5);
        assertEquals(id, chat(id, "What is my name?"));

        given().when().get("/api/conversations/" + id)
                .then().statusCode(200)
                .body("conversationId", equalTo(id))
                .body("messages.role", contains("system", "user", "assistant", "user", "assistant"))
                .body("messages[1].content", equalTo("My name is Ada."))
                .body("messages[4].content", equalTo("Your name is Ada."));

        JsonNode second = MAPPER.readTree(ollama.chatRequests().get(1).getBodyAsString());
        List<String> contents = new ArrayList<>();
        second.get("messages").forEach(m -> contents.add(m.get("role").asText() + ":" + m.get("content").asText()));
        assertTrue(contents.containsAll(List.of("user:My name is Ada.", "assistant:Nice to meet you, Ada.",
                "user:What is my name?")), "the second call carries the first turn: " + contents);
    }

    @Test
    void deleteForgetsTheConversation() {
        ollama.answerChatWith("ok", 1, 1);
        String id = chat(null, "remember me");
        given().when().delete("/api/conversations/" + id).then().statusCode(204);
        given().when().get("/api/conversations/" + id).then().statusCode(404);
    }

    @Test
    void concurrentMessagesToOneConversationTakeTurns() throws Exception {
        ollama.answerChat(FakeOllama.ndjson(FakeOllama.reply("noted", 5, 1)).withFixedDelay(150));
        String id = "concurrent-" + UUID.randomUUID();
        int senders = 6;
        ExecutorService pool = Executors.newFixedThreadPool(senders);
        try {
            List<Future<Integer>> statuses = new ArrayList<>();
            for (int i = 0; i < senders; i++) {
                String message = "message " + i;
                Callable<Integer> send = () -> given().contentType(ContentType.JSON)
                        .body("{\"message\":\"" + message + "\",\"conversationId\":\"" + id + "\"}")
                        .when().post("/api/chat").then().extract().statusCode();
                statuses.add(pool.submit(send));
            }
            for (Future<Integer> status : statuses) {
                assertEquals(200, status.get());
            }
        } finally {
            pool.shutdownNow();
        }

        List<String> roles = given().when().get("/api/conversations/" + id)
                .then().statusCode(200).extract().jsonPath().getList("messages.role");
        List<String> expected = new ArrayList<>(List.of("system"));
        for (int i = 0; i < senders; i++) {
            expected.add("user");
            expected.add("assistant");
        }
        assertEquals(expected, roles, "turns never interleave");

        List<Integer> sizes = new ArrayList<>();
        for (var request : ollama.chatRequests()) {
            sizes.add(MAPPER.readTree(request.getBodyAsString()).get("messages").size());
        }
        assertEquals(List.of(2, 4, 6, 8, 10, 12), sizes.stream().sorted().toList(),
                "each model call saw every earlier turn: " + sizes);
    }

    private static String chat(String conversationId, String message) {
        String body = conversationId == null
                ? "{\"message\":\"" + message + "\"}"
                : "{\"message\":\"" + message + "\",\"conversationId\":\"" + conversationId + "\"}";
        return given().contentType(ContentType.JSON).body(body)
                .when().post("/api/chat")
                .then().statusCode(200).extract().path("conversationId");
    }
}
