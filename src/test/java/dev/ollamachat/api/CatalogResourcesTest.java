package dev.ollamachat.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;

import dev.ollamachat.support.FakeOllama;
import dev.ollamachat.support.FakeOllamaResource;
import dev.ollamachat.support.FakeOllamaResource.InjectFakeOllama;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Tools, models, health and OpenAPI with every dependency up. */
@QuarkusTest
@WithTestResource(FakeOllamaResource.class)
class CatalogResourcesTest {

    @InjectFakeOllama
    FakeOllama ollama;

    @BeforeEach
    void resetOllama() {
        ollama.reset();
    }

    @Test
    void toolsListsTheCalculatorWithSchemas() {
        given().when().get("/api/tools")
                .then().statusCode(200)
                .body("tools.name", containsInAnyOrder("add", "subtract", "multiply", "divide"))
                .body("tools.find { it.name == 'divide' }.server", equalTo("calculator"))
                .body("tools.find { it.name == 'divide' }.inputSchema.properties.a.type", equalTo("number"))
                .body("tools.find { it.name == 'divide' }.inputSchema.required", containsInAnyOrder("a", "b"))
                .body("servers[0].name", equalTo("calculator"))
                .body("servers[0].available", equalTo(true));
    }

    @Test
    void modelsMarksTheConfiguredOne() {
        ollama.serveModels("qwen2.5:0.5b", FakeOllama.MODEL);
        given().when().get("/api/models")
                .then().statusCode(200)
                .body("configuredModel", equalTo(FakeOllama.MODEL))
                .body("configuredModelAvailable", equalTo(true))
                .body("models.find { it.name == 'qwen2.5:0.5b' }.configured", equalTo(false))
                .body("models.find { it.name == '" + FakeOllama.MODEL + "' }.configured", equalTo(true))
                .body("models.find { it.name == '" + FakeOllama.MODEL + "' }.parameterSize", equalTo("8.0B"));
    }

    @Test
    void readinessIsUpWhenOllamaHasTheModelAndMcpAnswers() {
        given().when().get("/q/health/ready")
                .then().statusCode(200)
                .body("checks.find { it.name == 'ollama' }.data.modelPresent", equalTo(true))
                .body("checks.find { it.name == 'mcp' }.status", equalTo("UP"));
    }

    @Test
    void readinessIsDownWithAPullHintWhenTheModelIsMissing() {
        ollama.serveModels("some-other-model:latest");
        given().when().get("/q/health/ready")
                .then().statusCode(503)
                .body("checks.find { it.name == 'ollama' }.data.reachable", equalTo(true))
                .body("checks.find { it.name == 'ollama' }.data.modelPresent", equalTo(false))
                .body("checks.find { it.name == 'ollama' }.data.hint", equalTo("ollama pull " + FakeOllama.MODEL));
    }

    @Test
    void withTelemetryOffRepliesCarryNoTraceAndNoSpansAreMade() {
        // the test profile runs with TELEMETRY_ENABLED=false
        ollama.answerChatWith("Fine.", 1, 1);
        given().contentType(io.restassured.http.ContentType.JSON).body("{\"message\":\"hi\"}")
                .when().post("/api/chat")
                .then().statusCode(200)
                .body("traceId", org.hamcrest.Matchers.nullValue())
                .body("traceUrl", org.hamcrest.Matchers.nullValue());
    }

    @Test
    void openApiDescribesTheChatEndpoint() {
        given().when().get("/q/openapi?format=json")
                .then().statusCode(200)
                .body("paths.'/api/chat'.post", org.hamcrest.Matchers.notNullValue());
    }
}
