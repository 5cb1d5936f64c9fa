package dev.ollamachat.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;

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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A second MCP server that is down: chats go on with the tools that remain, and say so. */
@QuarkusTest
@WithTestResource(FakeOllamaResource.class)
@TestProfile(McpServerDownTest.SecondServerDown.class)
class McpServerDownTest {

    static final String DOWN_URL = ClosedPort.URL + "/mcp";

    public static class SecondServerDown implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("ollama-chat.mcp.servers", "weather=" + DOWN_URL);
        }
    }

    @InjectFakeOllama
    FakeOllama ollama;

    @BeforeEach
    void resetOllama() {
        ollama.reset();
    }

    @Test
    void chatAnswersWithTheRemainingToolsAndWarns() {
        ollama.answerWithToolCall("add", "{\"a\":2,\"b\":2}", "2 + 2 is 4.");

        given().contentType(ContentType.JSON).body("{\"message\":\"What is 2 + 2?\"}")
                .when().post("/api/chat")
                .then().statusCode(200)
                .body("reply", equalTo("2 + 2 is 4."))
                .body("toolCalls[0].result", equalTo("The sum of 2 and 2 is 4."))
                .body("warnings", hasSize(1))
                .body("warnings[0]", containsString("MCP server 'weather' at " + DOWN_URL + " is unavailable"));
    }

    @Test
    void toolListShowsTheServerAsUnavailable() {
        given().when().get("/api/tools")
                .then().statusCode(200)
                .body("tools.name", hasItem("add"))
                .body("servers.find { it.name == 'calculator' }.available", equalTo(true))
                .body("servers.find { it.name == 'weather' }.available", equalTo(false))
                .body("servers.find { it.name == 'weather' }.url", equalTo(DOWN_URL));
    }

    @Test
    void readinessReportsTheServerDown() {
        given().when().get("/q/health/ready")
                .then().statusCode(503)
                .body("checks.find { it.name == 'mcp' }.status", equalTo("DOWN"))
                .body("checks.find { it.name == 'mcp' }.data.weather", startsWith("DOWN"))
                .body("checks.find { it.name == 'mcp' }.data.calculator", startsWith("UP"))
                .body("checks.find { it.name == 'ollama' }.status", equalTo("UP"));
    }
}
