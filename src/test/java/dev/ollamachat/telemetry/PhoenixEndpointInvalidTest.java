package dev.ollamachat.telemetry;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import dev.ollamachat.support.FakeOllama;
import dev.ollamachat.support.FakeOllamaResource;
import dev.ollamachat.support.FakeOllamaResource.InjectFakeOllama;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Telemetry is optional: a PHOENIX_ENDPOINT that is not a URL turns it off (one warning) and the service serves. */
@QuarkusTest
@WithTestResource(FakeOllamaResource.class)
@TestProfile(PhoenixEndpointInvalidTest.NotAUrl.class)
class PhoenixEndpointInvalidTest {

    public static class NotAUrl implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("ollama-chat.telemetry.enabled", "true", "ollama-chat.telemetry.endpoint", "notaurl");
        }
    }

    @InjectFakeOllama
    FakeOllama ollama;

    @Test
    void theServiceStartsAndChatsWithoutTraces() {
        ollama.reset();
        ollama.answerChatWith("Still here.", 5, 2);
        given().contentType(ContentType.JSON).body("{\"message\":\"hi\"}")
                .when().post("/api/chat")
                .then().statusCode(200)
                .body("reply", equalTo("Still here."))
                .body("traceId", nullValue());
    }
}
