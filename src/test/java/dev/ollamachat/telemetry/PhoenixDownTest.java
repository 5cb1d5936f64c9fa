package dev.ollamachat.telemetry;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import dev.ollamachat.support.ClosedPort;
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

/** Phoenix down: every chat still answers, with its trace id, while the exporter fails in the background. */
@QuarkusTest
@WithTestResource(FakeOllamaResource.class)
@TestProfile(PhoenixDownTest.PhoenixDown.class)
class PhoenixDownTest {

    public static class PhoenixDown implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("ollama-chat.telemetry.enabled", "true",
                    "ollama-chat.telemetry.endpoint", ClosedPort.URL + "/v1/traces",
                    "quarkus.otel.bsp.schedule.delay", "20ms");
        }
    }

    @InjectFakeOllama
    FakeOllama ollama;

    @Test
    void chatsSucceedWhilePhoenixIsDown() {
        ollama.reset();
        ollama.answerChatWith("Still here.", 5, 2);
        for (int i = 0; i < 20; i++) {
            given().contentType(ContentType.JSON).body("{\"message\":\"ping " + i + "\"}")
                    .when().post("/api/chat")
                    .then().statusCode(200)
                    .body("reply", equalTo("Still here."))
                    .body("traceId", notNullValue());
        }
    }
}
