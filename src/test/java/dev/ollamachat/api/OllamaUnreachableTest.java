package dev.ollamachat.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.ollamachat.support.ClosedPort;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestProfile(OllamaUnreachableTest.OllamaDown.class)
class OllamaUnreachableTest {

    static final String OLLAMA_URL = ClosedPort.URL;

    public static class OllamaDown implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("ollama-chat.ollama.host", OLLAMA_URL);
        }
    }

    @Test
    void chatIs503NamingTheOllamaUrl() {
        ErrorResponsesTest.problem(given().contentType(ContentType.JSON).body("{\"message\":\"hi\"}")
                .when().post("/api/chat").then(), 503, "ollama-unreachable")
                .body("detail", containsString(OLLAMA_URL));
    }

    @Test
    void streamIs503ProblemNotAStream() {
        ErrorResponsesTest.problem(given().contentType(ContentType.JSON).accept("text/event-stream")
                .body("{\"message\":\"hi\"}").when().post("/api/chat/stream").then(), 503, "ollama-unreachable")
                .body("detail", containsString(OLLAMA_URL));
    }

    @Test
    void modelListIs503() {
        ErrorResponsesTest.problem(given().when().get("/api/models").then(), 503, "ollama-unreachable");
    }

    @Test
    void readinessIsDownAndSaysWhy() {
        given().when().get("/q/health/ready")
                .then().statusCode(503)
                .body("status", equalTo("DOWN"))
                .body("checks.find { it.name == 'ollama' }.status", equalTo("DOWN"))
                .body("checks.find { it.name == 'ollama' }.data.reachable", equalTo(false))
                .body("checks.find { it.name == 'ollama' }.data.url", equalTo(OLLAMA_URL));
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }
}
