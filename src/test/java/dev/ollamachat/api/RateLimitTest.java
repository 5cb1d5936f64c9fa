package dev.ollamachat.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ollamachat.support.FakeOllamaResource;
import dev.ollamachat.support.SseClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** RATE_LIMIT=3/1h: the fourth API request of a client gets a 429 problem with Retry-After, on every endpoint. */
@QuarkusTest
@WithTestResource(FakeOllamaResource.class)
@TestProfile(RateLimitTest.ThreeAnHour.class)
class RateLimitTest {

    public static class ThreeAnHour implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("ollama-chat.rate-limit", "3/1h");
        }
    }

    @Test
    void theFourthRequestIs429WithRetryAfterAndHealthIsNotCounted() throws Exception {
        for (int i = 0; i < 3; i++) {
            given().get("/q/health/live").then().statusCode(200);
            given().get("/api/tools").then().statusCode(200);
        }
        given().get("/api/tools").then().statusCode(429)
                .header("Retry-After", matchesPattern("[1-9][0-9]*"))
                .contentType("application/problem+json")
                .body("type", equalTo("urn:ollama-chat:problem:rate-limited"))
                .body("status", equalTo(429));
        try (SseClient client = SseClient.post(RestAssured.port, "/api/chat/stream", "{\"message\":\"hi\"}")) {
            assertEquals(429, client.status(), "the stream route is limited too");
            assertTrue(client.body().contains("rate-limited"));
        }
        given().get("/q/health/live").then().statusCode(200);
    }

    @Test
    void aMalformedSettingNamesTheVariable() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RateLimits.parse("often"));
        assertTrue(e.getMessage().startsWith("RATE_LIMIT 'often'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RateLimits.parse("0/1m"));
        assertEquals(60, RateLimits.parse("60/1m").getCapacity());
    }
}
