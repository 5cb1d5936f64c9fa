package dev.ollamachat.api;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

/** A model whose Ollama capabilities lack "tools" gets no tools (Ollama would refuse the call) and a warning. */
@QuarkusTest
@WithTestResource(FakeOllamaResource.class)
@TestProfile(ToolLessModelTest.ToolLessModel.class)
class ToolLessModelTest {

    static final String MODEL = "gemma2:2b";

    public static class ToolLessModel implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("ollama-chat.ollama.model", MODEL);
        }
    }

    @InjectFakeOllama
    FakeOllama ollama;

    @Test
    void chatGoesOnWithoutToolsAndSaysWhy() throws Exception {
        ollama.reset();
        ollama.wireMock().stubFor(post(urlEqualTo("/api/show"))
                .willReturn(FakeOllama.json(200, "{\"capabilities\":[\"completion\"]}")));
        ollama.answerChatWith("Hello.", 5, 1);

        given().contentType(ContentType.JSON).body("{\"message\":\"Calculate 5 + 3\"}")
                .when().post("/api/chat")
                .then().statusCode(200)
                .body("reply", equalTo("Hello."))
                .body("warnings", hasSize(1))
                .body("warnings[0]", containsString("'" + MODEL + "' does not support tools"));

        JsonNode sent = new ObjectMapper().readTree(ollama.chatRequests().get(0).getBodyAsString());
        assertTrue(sent.get("tools") == null || sent.get("tools").isEmpty(), "no tools offered: " + sent);
    }
}
