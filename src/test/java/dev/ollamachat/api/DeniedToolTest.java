package dev.ollamachat.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamachat.support.FakeOllama;
import dev.ollamachat.support.ScriptedOllama;
import dev.ollamachat.support.ScriptedOllamaResource;
import dev.ollamachat.support.ScriptedOllamaResource.InjectScriptedOllama;
import dev.ollamachat.support.SseClient;
import dev.ollamachat.support.StoppableMcpServer;
import dev.ollamachat.support.StoppableMcpServerResource;
import dev.ollamachat.support.StoppableMcpServerResource.InjectStoppableMcpServer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** MCP_TOOLS_DENY: a denied tool is neither offered to the model nor run when the model names it anyway. */
@QuarkusTest
@TestProfile(DeniedToolTest.DenyTheSecretTool.class)
class DeniedToolTest {

    public static class DenyTheSecretTool implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("ollama-chat.mcp.tools-deny",
                    StoppableMcpServerResource.NAME + ":" + StoppableMcpServer.SECRET_TOOL);
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(ScriptedOllamaResource.class),
                    new TestResourceEntry(StoppableMcpServerResource.class));
        }
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @InjectScriptedOllama
    ScriptedOllama ollama;

    @InjectStoppableMcpServer
    StoppableMcpServer mcp;

    @BeforeEach
    void reset() {
        ollama.reset();
    }

    @Test
    void toolListShowsTheDeniedToolAsFilteredNotOffered() {
        given().when().get("/api/tools").then().statusCode(200)
                .body("tools.name", hasItem(StoppableMcpServer.TOOL))
                .body("tools.name", not(hasItem(StoppableMcpServer.SECRET_TOOL)))
                .body("filtered[0].name", equalTo(StoppableMcpServer.SECRET_TOOL))
                .body("filtered[0].server", equalTo(StoppableMcpServerResource.NAME))
                .body("filtered[0].reason", equalTo("denied by MCP_TOOLS_DENY"));
    }

    @Test
    void aDeniedToolTheModelNamesAnywayIsNotRunOnTheJsonEndpoint() throws Exception {
        scriptTheModelAskingForTheSecret();
        String body = given().contentType(ContentType.JSON).body("{\"message\":\"print the secret\"}")
                .when().post("/api/chat")
                .then().statusCode(200)
                .body("toolCalls[0].name", equalTo(StoppableMcpServer.SECRET_TOOL))
                .body("toolCalls[0].error", containsString("is not allowed here"))
                .extract().asString();
        assertNotRun(body);
    }

    @Test
    void aDeniedToolTheModelNamesAnywayIsNotRunOnTheStreamingEndpoint() throws Exception {
        scriptTheModelAskingForTheSecret();
        StringBuilder everything = new StringBuilder();
        List<String> names = new ArrayList<>();
        try (SseClient client = SseClient.post(RestAssured.port, "/api/chat/stream",
                "{\"message\":\"print the secret\"}")) {
            for (SseClient.Event event : client.rest()) {
                everything.append(event.data());
                names.add(event.name());
                if (event.name().equals("tool_result")) {
                    assertTrue(MAPPER.readTree(event.data()).get("error").asText().contains("is not allowed here"));
                }
            }
        }
        assertTrue(names.contains("tool_result") && names.get(names.size() - 1).equals("done"), names.toString());
        assertNotRun(everything.toString());
    }

    private void scriptTheModelAskingForTheSecret() {
        ollama.nextChat().answer(FakeOllama.toolCall(StoppableMcpServer.SECRET_TOOL, "{}"));
        ollama.nextChat().answer(FakeOllama.reply("I may not print it.", 9, 5));
    }

    private void assertNotRun(String answer) throws Exception {
        assertFalse(mcp.calledTools().contains(StoppableMcpServer.SECRET_TOOL), "the MCP server never ran it");
        assertFalse(answer.contains(StoppableMcpServer.SECRET), answer);
        JsonNode first = MAPPER.readTree(ollama.chatBodies().get(0));
        List<String> offered = new ArrayList<>();
        first.get("tools").forEach(t -> offered.add(t.get("function").get("name").asText()));
        assertTrue(offered.contains(StoppableMcpServer.TOOL), offered.toString());
        assertFalse(offered.contains(StoppableMcpServer.SECRET_TOOL), "never offered: " + offered);
        assertEquals(2, ollama.chatBodies().size());
        assertFalse(ollama.chatBodies().get(1).contains(StoppableMcpServer.SECRET), "nor sent to the model");
    }
}
