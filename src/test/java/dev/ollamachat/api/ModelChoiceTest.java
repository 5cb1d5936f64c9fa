package dev.ollamachat.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamachat.support.FakeOllama;
import dev.ollamachat.support.FakeOllamaResource;
import dev.ollamachat.support.FakeOllamaResource.InjectFakeOllama;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The request's {@code model}: any model Ollama lists, else a 400 that names the ones it has. */
@QuarkusTest
@WithTestResource(FakeOllamaResource.class)
class ModelChoiceTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @InjectFakeOllama
    FakeOllama ollama;

    @BeforeEach
    void resetOllama() {
        ollama.reset();
        ollama.serveModels(FakeOllama.MODEL, "qwen3:0.6b");
        ollama.answerChatWith("Ahoy", 5, 2);
    }

    @Test
    void aListedModelAnswersAndIsTheOneOllamaIsAskedFor() throws Exception {
        given().contentType(ContentType.JSON).body("{\"message\":\"Hi\",\"model\":\"qwen3:0.6b\"}")
                .when().post("/api/chat")
                .then().statusCode(200)
                .body("model", equalTo("qwen3:0.6b"));
        assertEquals("qwen3:0.6b", MAPPER.readTree(ollama.chatRequests().get(0).getBodyAsString())
                .get("model").asText());
    }

    @Test
    void withoutAModelTheConfiguredOneAnswers() throws Exception {
        given().contentType(ContentType.JSON).body("{\"message\":\"Hi\"}")
                .when().post("/api/chat")
                .then().statusCode(200)
                .body("model", equalTo(FakeOllama.MODEL));
        assertEquals(FakeOllama.MODEL, MAPPER.readTree(ollama.chatRequests().get(0).getBodyAsString())
                .get("model").asText());
    }

    @Test
    void aModelOllamaLacksIsRefusedWithTheOnesItHasOnBothEndpoints() {
        for (String path : new String[] {"/api/chat", "/api/chat/stream"}) {
            given().contentType(ContentType.JSON).body("{\"message\":\"Hi\",\"model\":\"gpt-4o\"}")
                    .when().post(path)
                    .then().statusCode(400)
                    .contentType("application/problem+json")
                    .body("title", equalTo("Unknown model"))
                    .body("detail", containsString("no model 'gpt-4o'"))
                    .body("detail", containsString(FakeOllama.MODEL + ", qwen3:0.6b"));
        }
        assertEquals(0, ollama.chatRequests().size(), "Ollama is not asked to chat with a model it lacks");
    }

    @Test
    void aModelNameThatCannotBeOneIsA400BeforeOllamaIsAsked() {
        given().contentType(ContentType.JSON).body("{\"message\":\"Hi\",\"model\":\"../etc/passwd\"}")
                .when().post("/api/chat")
                .then().statusCode(400)
                .body("detail", containsString("'model' must be an Ollama model name"))
                .body("detail", not(containsString("passwd")));
        given().contentType(ContentType.JSON).body("{\"message\":\"Hi\",\"model\":7}")
                .when().post("/api/chat")
                .then().statusCode(400);
        assertEquals(0, ollama.wireMock().findAll(
                com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(
                        com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo("/api/tags"))).size());
    }

    @Test
    void aModelNamedWithoutItsTagMatchesLatest() {
        ollama.serveModels(FakeOllama.MODEL, "mistral:latest");
        given().contentType(ContentType.JSON).body("{\"message\":\"Hi\",\"model\":\"mistral\"}")
                .when().post("/api/chat")
                .then().statusCode(200)
                .body("model", equalTo("mistral"));
    }
}
