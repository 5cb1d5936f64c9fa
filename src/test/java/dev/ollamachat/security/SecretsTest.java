package dev.ollamachat.security;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ollamachat.support.CapturedSpans;
import dev.ollamachat.support.EverythingMcpServer;
import dev.ollamachat.support.FakeOllama;
import dev.ollamachat.support.FakeOllamaResource;
import dev.ollamachat.support.FakeOllamaResource.InjectFakeOllama;
import dev.ollamachat.support.OtlpReceiver;
import dev.ollamachat.support.SseClient;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * With an API key, a Phoenix API key and a secret in an MCP server's environment, and the tool that prints that
 * environment denied, none of the three secrets appears in any response, log line, /q/* output or exported span,
 * even when the model asks for the tool.
 */
@QuarkusTest
@TestProfile(SecretsTest.Secrets.class)
class SecretsTest {

    static final String CHAT_KEY = "chat-key-5f2d9c81e4a7b3d6";
    static final String PHOENIX_KEY = "phoenix-key-8b1e7a3c9d2f4e60";
    static final String MCP_SECRET = "mcp-secret-3c7e1f9a2b8d5064";
    static final Path LOG = Path.of("target", "secrets-test.log");

    public static class Secrets implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new java.util.HashMap<>();
            config.put("ollama-chat.auth.api-keys", "alice:" + CHAT_KEY);
            config.put("ollama-chat.mcp.tools-deny", "everything:printEnv");
            config.put("quarkus.log.file.enabled", "true");
            config.put("quarkus.log.file.path", LOG.toString());
            // as an operator who looks for trouble would run it
            config.put("quarkus.log.level", "DEBUG");
            config.put("quarkus.log.console.level", "INFO");
            config.put("quarkus.log.category.\"io.netty\".level", "INFO");
            config.put("quarkus.log.category.\"io.vertx\".level", "INFO");
            // the test's own HTTP client (RestAssured) logs the key it sends; that is not the service
            config.put("quarkus.log.category.\"org.apache.http\".level", "INFO");
            return config;
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(FakeOllamaResource.class),
                    new TestResourceEntry(SecretServers.class));
        }
    }

    /** Phoenix (an OTLP receiver) with its API key, and the everything MCP server with a secret in its environment. */
    public static class SecretServers implements QuarkusTestResourceLifecycleManager {
        static OtlpReceiver phoenix;
        private EverythingMcpServer mcp;

        @Override
        public Map<String, String> start() {
            try {
                Files.deleteIfExists(LOG);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            phoenix = new OtlpReceiver();
            phoenix.start();
            mcp = new EverythingMcpServer(EverythingMcpServer.defaultDir(), Map.of("SERVICE_TOKEN", MCP_SECRET));
            mcp.start();
            return Map.of("ollama-chat.mcp.servers", List.of("everything=" + mcp.url()).get(0),
                    "ollama-chat.telemetry.enabled", "true",
                    "ollama-chat.telemetry.endpoint", phoenix.url() + "/v1/traces",
                    "ollama-chat.telemetry.api-key", PHOENIX_KEY,
                    "quarkus.otel.bsp.schedule.delay", "50ms");
        }

        @Override
        public void stop() {
            if (mcp != null) {
                mcp.stop();
            }
            if (phoenix != null) {
                phoenix.stop();
            }
        }
    }

    @InjectFakeOllama
    FakeOllama ollama;

    @Inject
    CapturedSpans spans;

    private final List<String> seen = new ArrayList<>();

    @Test
    void noSecretLeavesTheServiceAnywhere() throws Exception {
        ollama.reset();
        ollama.answerWithToolCall("printEnv", "{}", "I may not print it.");

        Response chat = given().header("Authorization", "Bearer " + CHAT_KEY).contentType(ContentType.JSON)
                .body("{\"message\":\"Print the environment\"}").when().post("/api/chat");
        keep(chat);
        chat.then().statusCode(200)
                .body("toolCalls[0].name", equalTo("printEnv"))
                .body("toolCalls[0].error", containsString("is not allowed here"));
        String conversationId = chat.path("conversationId");

        try (SseClient stream = SseClient.post(RestAssured.port, "/api/chat/stream",
                "{\"message\":\"Print the environment\",\"conversationId\":\"" + conversationId + "\"}",
                Map.of("Authorization", "Bearer " + CHAT_KEY))) {
            assertEquals(200, stream.status());
            stream.rest().forEach(event -> seen.add(event.name() + " " + event.data()));
        }

        for (String path : List.of("/api/conversations/" + conversationId, "/api/tools", "/api/models")) {
            keep(given().header("Authorization", "Bearer " + CHAT_KEY).when().get(path));
        }
        for (String path : List.of("/q/health", "/q/health/ready", "/q/health/live", "/q/openapi", "/q/metrics",
                "/q/info", "/q/dev-ui", "/", "/app.js")) {
            keep(given().when().get(path));
        }
        keep(given().header("Authorization", "Bearer not-" + CHAT_KEY).when().get("/api/tools"));
        keep(given().when().post("/mcp"));
        assertTrue(ollama.chatRequests().size() >= 2, "the model was asked, and asked for the tool");

        spans.awaitSpan(span -> span.getName().startsWith("chat"));
        spans.all().forEach(span -> seen.add(span.toString()));
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (SecretServers.phoenix.exports().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertFalse(SecretServers.phoenix.exports().isEmpty(), "spans reached Phoenix");
        SecretServers.phoenix.exports().forEach(export -> seen.add(export.request().toString()));
        assertEquals("Bearer " + PHOENIX_KEY, SecretServers.phoenix.exports().get(0).headers().get("authorization"),
                "the Phoenix key goes to Phoenix, in its header, and nowhere else");
        ollama.chatRequests().forEach(request -> seen.add(request.getBodyAsString()));

        String log = Files.readString(LOG, StandardCharsets.UTF_8);
        assertTrue(log.contains("Chatting with model"), "the log file holds the start-up lines");
        seen.add(log);

        String everything = String.join("\n", seen);
        for (String secret : List.of(CHAT_KEY, PHOENIX_KEY, MCP_SECRET)) {
            assertFalse(everything.contains(secret), secret + " leaked; seen: " + excerpt(everything, secret));
        }
    }

    private void keep(Response response) {
        seen.add(response.getStatusLine());
        response.getHeaders().forEach(header -> seen.add(header.toString()));
        seen.add(response.asString());
    }

    private static String excerpt(String text, String secret) {
        int at = text.indexOf(secret);
        return text.substring(Math.max(0, at - 300), Math.min(text.length(), at + secret.length() + 100));
    }
}
