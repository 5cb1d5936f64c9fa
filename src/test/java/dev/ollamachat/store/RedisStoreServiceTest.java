package dev.ollamachat.store;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;

import dev.ollamachat.support.FakeOllama;
import dev.ollamachat.support.FakeOllamaResource;
import dev.ollamachat.support.FakeOllamaResource.InjectFakeOllama;
import dev.ollamachat.support.RedisResource;
import dev.ollamachat.support.RedisResource.InjectRedis;
import dev.ollamachat.support.RedisServer;
import dev.ollamachat.support.SseClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import java.util.List;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** The service with CONVERSATION_STORE=redis: conversations go to a real Redis; Redis down is a 503 naming it. */
@QuarkusTest
@TestProfile(RedisStoreServiceTest.WithRedis.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisStoreServiceTest {

    public static class WithRedis implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(FakeOllamaResource.class),
                    new TestResourceEntry(RedisResource.class));
        }
    }

    @InjectFakeOllama
    FakeOllama ollama;

    @InjectRedis
    RedisServer redis;

    @Test
    @Order(1)
    void bothEndpointsKeepTheConversationInRedis() throws Exception {
        ollama.reset();
        ollama.answerChatWith("Hello from Redis.", 5, 3);
        given().contentType(ContentType.JSON).body("{\"message\":\"hi\",\"conversationId\":\"in-redis\"}")
                .when().post("/api/chat").then().statusCode(200).body("reply", equalTo("Hello from Redis."));
        try (SseClient stream = SseClient.post(RestAssured.port, "/api/chat/stream",
                "{\"message\":\"again\",\"conversationId\":\"in-redis\"}")) {
            stream.rest();
        }
        // system prompt, then user/assistant twice
        given().when().get("/api/conversations/in-redis").then().statusCode(200)
                .body("messages", hasSize(5))
                .body("messages.content", hasItem("again"));
        given().when().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'conversation-store' }.status", equalTo("UP"));
        given().when().delete("/api/conversations/in-redis").then().statusCode(204);
        given().when().get("/api/conversations/in-redis").then().statusCode(404);
    }

    @Test
    @Order(2)
    void redisDownIs503NamingRedisAndNotReady() {
        redis.stop();
        given().contentType(ContentType.JSON).body("{\"message\":\"hi\"}")
                .when().post("/api/chat").then().statusCode(503)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:ollama-chat:problem:redis-unavailable"));
        given().when().get("/api/conversations/any").then().statusCode(503);
        given().when().get("/q/health/ready").then().statusCode(503)
                .body("checks.find { it.name == 'conversation-store' }.status", equalTo("DOWN"));
        given().when().get("/q/health/live").then().statusCode(200);
    }
}
