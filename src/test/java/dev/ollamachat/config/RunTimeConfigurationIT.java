package dev.ollamachat.config;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.ollamachat.support.FakeOllama;
import dev.ollamachat.support.PackagedJar;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged jar takes its settings from the environment when it starts, without a rebuild: the same jar runs
 * against another Ollama and another model (and SYSTEM_PROMPT as the system prompt), accepts OLLAMA_HOST in the host:port form of Ollama's own server, and
 * refuses to start on a setting that would make every chat fail.
 *
 * <p>This launches the jar itself, with real environment variables, rather than as a {@code QuarkusIntegrationTest}:
 * that one hands its configuration to the jar as {@code -D} system properties, so the names a user sets
 * (OLLAMA_HOST, OLLAMA_MODEL, MCP_SERVERS) and their mapping onto the typed configuration would go untested.
 */
class RunTimeConfigurationIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final FakeOllama OLLAMA = FakeOllama.withDefaultAnswers();

    @BeforeAll
    static void startOllama() {
        OLLAMA.start();
    }

    @AfterAll
    static void stopOllama() {
        OLLAMA.stop();
    }

    @BeforeEach
    void forgetRequests() {
        OLLAMA.wireMock().resetRequests();
    }

    @Test
    void ollamaHostAndModelComeFromTheEnvironment() throws IOException {
        try (PackagedJar jar = PackagedJar.startReady("tiny-model",
                Map.of("OLLAMA_HOST", OLLAMA.url(), "OLLAMA_MODEL", "tiny-test-model",
                        "SYSTEM_PROMPT", "You answer in French."))) {
            JsonNode ready = JSON.readTree(jar.get("/q/health/ready").body());
            assertTrue(ready.toString().contains("tiny-test-model"), "readiness names the configured model: " + ready);

            HttpResponse<String> chat = jar.postJson("/api/chat", "{\"message\":\"Calculate 5 + 3\"}");
            assertEquals(200, chat.statusCode(), chat.body());
            JsonNode reply = JSON.readTree(chat.body());
            assertEquals("tiny-test-model", reply.get("model").asText());
            assertEquals("The result of 5 + 3 is 8.", reply.get("reply").asText());
            assertEquals("add", reply.get("toolCalls").get(0).get("name").asText(),
                    "the tool round trip went through the jar's own MCP server: " + reply);
            assertEquals(List.of("tiny-test-model", "tiny-test-model"), modelsAskedFor(),
                    "both model calls of the turn named OLLAMA_MODEL");
            JsonNode first = JSON.readTree(OLLAMA.chatRequests().get(0).getBodyAsString()).get("messages").get(0);
            assertEquals("system", first.get("role").asText());
            assertEquals("You answer in French.", first.get("content").asText(), "SYSTEM_PROMPT is the system prompt");
            assertFalse(jar.log().contains("Unrecognized configuration key"),
                    "every key in application.properties means something to the packaged service:\n" + jar.log());
        }
    }

    @Test
    void hostPortWithoutSchemeWorksAndAMissingModelIsExplained() throws IOException {
        String hostPort = OLLAMA.url().substring("http://".length());
        try (PackagedJar jar = PackagedJar.start("missing-model",
                Map.of("OLLAMA_HOST", hostPort, "OLLAMA_MODEL", "missing-model"))) {
            HttpResponse<String> ready = jar.awaitStatus("/q/health/ready", 503);
            assertTrue(ready.body().contains("ollama pull missing-model"), ready.body());
            assertTrue(jar.log().contains("OLLAMA_HOST '" + hostPort + "' has no scheme; calling Ollama at "
                    + "http://" + hostPort), "the start-up log says which URL it calls:\n" + jar.log());

            HttpResponse<String> chat = jar.postJson("/api/chat", "{\"message\":\"Hello\"}");
            assertEquals(502, chat.statusCode(), chat.body());
            assertTrue(chat.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
            assertTrue(JSON.readTree(chat.body()).get("detail").asText().contains("ollama pull missing-model"),
                    chat.body());
            assertEquals(List.of("missing-model"), modelsAskedFor());
        }
    }

    @Test
    void aMalformedMcpServersStopsStartUpNamingTheVariable() throws IOException {
        try (PackagedJar jar = PackagedJar.start("bad-mcp-servers",
                Map.of("OLLAMA_HOST", OLLAMA.url(), "MCP_SERVERS", "no-equals-sign"))) {
            int exit = jar.awaitExit(Duration.ofSeconds(60));
            assertNotEquals(0, exit, "start-up failed");
            assertTrue(jar.log().contains("MCP_SERVERS entry 'no-equals-sign' is not of the form name=http"),
                    jar.log());
        }
    }

    private static List<String> modelsAskedFor() throws IOException {
        List<String> models = new java.util.ArrayList<>();
        for (LoggedRequest request : OLLAMA.wireMock().findAll(postRequestedFor(urlEqualTo("/api/chat")))) {
            models.add(JSON.readTree(request.getBodyAsString()).get("model").asText());
        }
        return models;
    }
}
