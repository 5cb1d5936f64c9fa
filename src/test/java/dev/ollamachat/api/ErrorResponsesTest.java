package dev.ollamachat.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import dev.ollamachat.support.FakeOllama;
import dev.ollamachat.support.FakeOllamaResource;
import dev.ollamachat.support.FakeOllamaResource.InjectFakeOllama;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every failure answers a problem+json with the right status, and never a stack trace. */
@QuarkusTest
@WithTestResource(FakeOllamaResource.class)
class ErrorResponsesTest {

    @InjectFakeOllama
    FakeOllama ollama;

    @BeforeEach
    void resetOllama() {
        ollama.reset();
        ollama.answerChatWith("fine", 1, 1);
    }

    @Test
    void invalidJsonIs400() {
        problem(postChat("{\"message\": \"unterminated"), 400, "invalid-json")
                .body("detail", startsWith("The request body is not valid JSON"));
    }

    @Test
    void missingBodyIs400() {
        problem(given().contentType(ContentType.JSON).when().post("/api/chat").then(), 400, "invalid-request");
    }

    @Test
    void missingMessageIs400() {
        problem(postChat("{\"conversationId\":\"abc\"}"), 400, "invalid-request")
                .body("detail", containsString("'message' is required"));
    }

    @Test
    void blankMessageIs400() {
        problem(postChat("{\"message\":\"   \"}"), 400, "invalid-request");
    }

    @Test
    void messageOverTheLimitIs400AndSaysTheLimit() {
        String tooLong = "x".repeat(32_001);
        problem(postChat("{\"message\":\"" + tooLong + "\"}"), 400, "invalid-request")
                .body("detail", containsString("32000"));
        org.junit.jupiter.api.Assertions.assertEquals(0, ollama.chatRequests().size(),
                "a rejected message never reaches Ollama");
    }

    @Test
    void malformedConversationIdIs400() {
        problem(postChat("{\"message\":\"hi\",\"conversationId\":\"no spaces allowed\"}"), 400,
                "invalid-request").body("detail", containsString("conversationId"));
        problem(given().when().get("/api/conversations/bad$id").then(), 400, "invalid-request");
    }

    @Test
    void wrongTypeInJsonIs400() {
        problem(postChat("{\"message\":{\"nested\":true}}"), 400, "invalid-json");
    }

    @Test
    void messageOfControlCharactersOnlyIs400() {
        problem(postChat("{\"message\":\"\\u0001\\u0002 \\u200b\"}"), 400, "invalid-request")
                .body("detail", containsString("no text"));
        org.junit.jupiter.api.Assertions.assertEquals(0, ollama.chatRequests().size());
    }

    @Test
    void aWrongTypeIsNamedInJsonsWordsNeverAJavaType() {
        problem(postChat("{\"message\":5}"), 400, "invalid-json").body("detail", equalTo("'message' must be a string"));
        problem(postChat("{\"message\":\"hi\",\"metadata\":\"team\"}"), 400, "invalid-json")
                .body("detail", equalTo("'metadata' must be a JSON object"));
        problem(postChat("{\"message\":\"hi\",\"tags\":[1]}"), 400, "invalid-json")
                .body("detail", equalTo("'tags[0]' must be a string"));
        problem(postChat("[\"hi\"]"), 400, "invalid-json").body("detail", not(containsString("java")));
        for (String path : new String[] {"/api/chat", "/api/chat/stream"}) {
            problem(given().contentType(ContentType.JSON).body("{\"message\":\"hi\",\"tags\":{\"a\":1}}")
                    .when().post(path).then(), 400, "invalid-json")
                    .body("detail", equalTo("'tags' must be a list"));
        }
    }

    @Test
    void traceLabelsOutsideTheirLimitsAre400() {
        String seventeen = java.util.stream.IntStream.range(0, 17).mapToObj(i -> "\"k" + i + "\":1")
                .collect(java.util.stream.Collectors.joining(",", "{", "}"));
        String[][] cases = {
                {"\"metadata\":" + seventeen, "'metadata' has 17 entries"},
                {"\"metadata\":{\"nested\":{\"a\":1}}", "'metadata.nested' must be a string"},
                {"\"metadata\":{\"long\":\"" + "x".repeat(257) + "\"}", "'metadata.long' must be a string"},
                {"\"metadata\":{\"\":1}", "each key of 'metadata'"},
                {"\"tags\":[" + "\"t\",".repeat(16) + "\"t\"]", "'tags' has 17 tags"},
                {"\"tags\":[\"\"]", "each of 'tags'"},
                {"\"tags\":[\"\u00a0\"]", "each of 'tags'"},
                {"\"tags\":[\"" + "x".repeat(65) + "\"]", "each of 'tags'"},
                {"\"user\":\"  \"", "'user' must be"},
                {"\"user\":\"a\\u0001b\"", "'user' must be"}};
        for (String[] bad : cases) {
            problem(postChat("{\"message\":\"hi\"," + bad[0] + "}"), 400, "invalid-request")
                    .body("detail", containsString(bad[1]));
        }
        // at the limits, all is well: 16 entries, 64-character keys and tags, 256-character texts, emoji count once
        String sixteen = java.util.stream.IntStream.range(0, 16).mapToObj(i -> "\"" + "k".repeat(63) + i % 10
                + (i / 10) + "\":\"" + "\uD83D\uDE00".repeat(256) + "\"").collect(java.util.stream.Collectors
                        .joining(",", "{", "}"));
        postChat("{\"message\":\"hi\",\"metadata\":" + sixteen.replace("k".repeat(63), "k".repeat(62))
                + ",\"tags\":[" + ("\"" + "t".repeat(64) + "\",").repeat(15) + "\"\uD83D\uDE00\"],\"user\":\"Ada L.\"}")
                .statusCode(200);
        org.junit.jupiter.api.Assertions.assertEquals(1, ollama.chatRequests().size(),
                "only the chat within the limits reached Ollama");
    }

    @Test
    void numbersAndBooleansAreNotTakenAsText() {
        problem(postChat("{\"message\":5}"), 400, "invalid-json");
        problem(postChat("{\"message\":true}"), 400, "invalid-json");
        problem(postChat("{\"message\":\"hi\",\"conversationId\":12}"), 400, "invalid-json");
        org.junit.jupiter.api.Assertions.assertEquals(0, ollama.chatRequests().size());
    }

    @Test
    void missingContentTypeIs415OnBothChatEndpoints() throws Exception {
        for (String path : java.util.List.of("/api/chat", "/api/chat/stream")) {
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", io.restassured.RestAssured.port)) {
                byte[] body = "{\"message\":\"hi\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
                socket.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close"
                        + "\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                socket.getOutputStream().write(body);
                String answer = new String(socket.getInputStream().readAllBytes(),
                        java.nio.charset.StandardCharsets.UTF_8);
                org.junit.jupiter.api.Assertions.assertTrue(answer.startsWith("HTTP/1.1 415"), path + ": " + answer);
                org.junit.jupiter.api.Assertions.assertTrue(answer.contains("application/problem+json")
                        && answer.contains("urn:ollama-chat:problem:http-415"), path + ": " + answer);
            }
        }
        org.junit.jupiter.api.Assertions.assertEquals(0, ollama.chatRequests().size());
    }

    @Test
    void aChatBodyOverTheLimitIs413ProblemWhetherDeclaredOrChunked() throws Exception {
        String huge = "{\"message\":\"" + "x".repeat(200_000) + "\"}";
        problem(given().contentType(ContentType.JSON).body(huge).when().post("/api/chat").then(), 413, "http-413");
        problem(given().contentType(ContentType.JSON).body(huge).when().post("/api/chat/stream").then(), 413,
                "http-413");
        for (String path : List.of("/api/chat/stream", "/api/chat")) {
            String answer = rawChunkedPost(path, 1024 * 1024);
            org.junit.jupiter.api.Assertions.assertTrue(answer.startsWith("HTTP/1.1 413"), path + ": " + answer);
            org.junit.jupiter.api.Assertions.assertTrue(answer.contains("application/problem+json")
                    && answer.contains("urn:ollama-chat:problem:http-413"), path + ": " + answer);
        }
        org.junit.jupiter.api.Assertions.assertEquals(0, ollama.chatRequests().size());
    }

    @Test
    void aRequestUriOverTheLimitIs414Problem() {
        problem(given().queryParam("message", "x".repeat(140_000)).when().get("/api/chat/stream").then(), 414,
                "http-414");
    }

    @Test
    void headersOverTheLimitAre431Problem() {
        problem(given().header("X-Padding", "y".repeat(40_000)).when().get("/api/models").then(), 431, "http-431");
    }

    /** A chunked JSON body of {@code bytes} bytes (no Content-Length), sent until the server answers. */
    private static String rawChunkedPost(String path, int bytes) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", io.restassured.RestAssured.port)) {
            socket.setSoTimeout(20_000);
            java.io.OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            byte[] chunk = "x".repeat(64 * 1024).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            try {
                out.write(("c\r\n{\"message\":\"\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                for (int sent = 0; sent < bytes; sent += chunk.length) {
                    out.write((Integer.toHexString(chunk.length) + "\r\n")
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    out.write(chunk);
                    out.write("\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                }
                out.write("0\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                out.flush();
            } catch (java.io.IOException closedEarly) {
                // the server may answer and close before the whole body is sent: that is the point
            }
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    void wrongContentTypeIs415() {
        problem(given().contentType(ContentType.TEXT).body("hello").when().post("/api/chat").then(), 415,
                "http-415");
    }

    @Test
    void unknownConversationIs404OnGetAndDelete() {
        problem(given().when().get("/api/conversations/never-seen").then(), 404, "conversation-not-found");
        problem(given().when().delete("/api/conversations/never-seen").then(), 404, "conversation-not-found");
    }

    @Test
    void unknownPathIs404Problem() {
        problem(given().when().get("/api/nothing-here").then(), 404, "http-404");
    }

    @Test
    void modelNotFoundIs502WithPullHint() {
        ollama.answerChat(FakeOllama.fixture(404, "error-model-not-found-404.json"));
        problem(postChat("{\"message\":\"hi\"}"), 502, "ollama-model-not-found")
                .body("detail", containsString("ollama pull " + FakeOllama.MODEL));
    }

    @Test
    void legacyModelNotFoundTextIsRecognisedByStatusToo() {
        ollama.answerChat(FakeOllama.fixture(404, "error-model-not-found-404-legacy.json"));
        problem(postChat("{\"message\":\"hi\"}"), 502, "ollama-model-not-found");
    }

    @Test
    void otherOllamaErrorIs502WithItsText() {
        ollama.answerChat(FakeOllama.fixture(400, "error-no-tools-400.json"));
        problem(postChat("{\"message\":\"hi\"}"), 502, "ollama-error")
                .body("detail", containsString("does not support tools"))
                .body("detail", containsString(ollama.url()));
    }

    @Test
    void slowOllamaIs504() {
        // the test profile sets the Ollama timeout to 3 s
        ollama.answerChat(FakeOllama.ndjson(FakeOllama.reply("late", 1, 1)).withFixedDelay(4_500));
        problem(postChat("{\"message\":\"hi\"}"), 504, "ollama-timeout")
                .body("detail", containsString(ollama.url()));
    }

    private static ValidatableResponse postChat(String body) {
        return given().contentType(ContentType.JSON).body(body).when().post("/api/chat").then();
    }

    static ValidatableResponse problem(ValidatableResponse response, int status, String slug) {
        return response.statusCode(status)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:ollama-chat:problem:" + slug))
                .body("status", equalTo(status))
                .body("title", not(equalTo(null)))
                .body("detail", not(containsString("\tat ")))
                .body("detail", not(containsString("Exception")));
    }
}
