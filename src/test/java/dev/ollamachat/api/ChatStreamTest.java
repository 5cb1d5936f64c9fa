package dev.ollamachat.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamachat.support.LogCapture;
import dev.ollamachat.support.ScriptedOllama;
import dev.ollamachat.support.ScriptedOllama.Gate;
import dev.ollamachat.support.ScriptedOllamaResource;
import dev.ollamachat.support.ScriptedOllamaResource.InjectScriptedOllama;
import dev.ollamachat.support.SseClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.logging.Level;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The SSE chat stream against a fake Ollama that streams NDJSON line by line. */
@QuarkusTest
@WithTestResource(ScriptedOllamaResource.class)
class ChatStreamTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String PATH = "/api/chat/stream";

    @InjectScriptedOllama
    ScriptedOllama ollama;

    @BeforeEach
    void reset() {
        ollama.reset();
    }

    @Test
    void firstTokenReachesTheClientBeforeOllamaSendsItsLastChunk() throws Exception {
        Gate clientSawFirstToken = new Gate();
        ollama.nextChat().line(ScriptedOllama.token("Hello")).awaitGate(clientSawFirstToken)
                .line(ScriptedOllama.token(" world")).line(ScriptedOllama.done(12, 2));

        try (SseClient client = SseClient.post(RestAssured.port, PATH, "{\"message\":\"Say hello\"}")) {
            assertEquals(200, client.status());
            assertTrue(client.header("content-type").startsWith("text/event-stream"));
            SseClient.Event first = client.next();
            assertEquals("token", first.name());
            assertEquals("Hello", json(first).get("text").asText());
            clientSawFirstToken.open();

            List<SseClient.Event> rest = client.rest();
            assertEquals(List.of("token", "done"), rest.stream().map(SseClient.Event::name).toList());
            JsonNode done = json(rest.get(1));
            assertEquals(12, done.get("usage").get("inputTokens").asInt());
            assertEquals(2, done.get("usage").get("outputTokens").asInt());
            assertEquals("llama3.1:8b", done.get("model").asText());
            assertTrue(done.get("timeToFirstTokenMs").asLong() <= done.get("durationMs").asLong());
            assertNotNull(done.get("conversationId").asText());
        }
        assertTrue(clientSawFirstToken.passedBecauseOpened(),
                "the fake held its last chunk until the client had the first token, so nothing was buffered");
    }

    @Test
    void streamedToolRoundTrip() throws Exception {
        ollama.nextChat().fixture("turn1-stream.ndjson");
        ollama.nextChat().fixture("turn2-stream.ndjson");

        List<SseClient.Event> events;
        try (SseClient client = SseClient.post(RestAssured.port, PATH, "{\"message\":\"Calculate 5 + 3\"}")) {
            events = client.rest();
        }
        List<String> names = events.stream().filter(e -> !e.isComment()).map(SseClient.Event::name).toList();
        assertEquals("tool_call", names.get(0));
        assertEquals("tool_result", names.get(1));
        assertEquals("done", names.get(names.size() - 1));
        assertEquals(12, names.stream().filter("token"::equals).count(), "one token event per chunk");

        JsonNode call = json(events.get(0));
        assertEquals("add", call.get("name").asText());
        assertEquals(5, call.get("arguments").get("a").asInt());
        JsonNode result = json(events.get(1));
        assertEquals("The sum of 5 and 3 is 8.", result.get("result").asText());
        assertNull(result.get("error"));
        StringBuilder reply = new StringBuilder();
        events.stream().filter(e -> "token".equals(e.name())).forEach(e -> reply.append(json(e).get("text").asText()));
        assertEquals("The result of 5 + 3 is 8.", reply.toString());
        JsonNode done = json(events.get(events.size() - 1));
        assertEquals(187 + 229, done.get("usage").get("inputTokens").asInt());
        assertEquals(22 + 13, done.get("usage").get("outputTokens").asInt());

        JsonNode second = MAPPER.readTree(ollama.chatBodies().get(1));
        assertTrue(second.get("stream").asBoolean());
        JsonNode messages = second.get("messages");
        JsonNode assistant = messages.get(messages.size() - 2);
        assertEquals("call_k3x9q2ab", assistant.get("tool_calls").get(0).get("id").asText());
        assertTrue(assistant.get("tool_calls").get(0).get("function").get("arguments").isObject());
        JsonNode tool = messages.get(messages.size() - 1);
        assertEquals("tool", tool.get("role").asText());
        assertEquals("add", tool.get("tool_name").asText());
        assertEquals("call_k3x9q2ab", tool.get("tool_call_id").asText());
        assertEquals("The sum of 5 and 3 is 8.", tool.get("content").asText());

        String conversationId = done.get("conversationId").asText();
        List<String> roles = given().when().get("/api/conversations/" + conversationId)
                .then().statusCode(200).extract().jsonPath().getList("messages.role");
        assertEquals(List.of("system", "user", "assistant", "tool", "assistant"), roles);
    }

    @Test
    void toolCallInTheDoneChunkWorksToo() throws Exception {
        ollama.nextChat().fixture("turn1-stream-variantB.ndjson");
        ollama.nextChat().fixture("turn2-stream.ndjson");

        try (SseClient client = SseClient.post(RestAssured.port, PATH, "{\"message\":\"Calculate 5 + 3\"}")) {
            List<String> names = client.rest().stream().map(SseClient.Event::name).toList();
            assertEquals(List.of("tool_call", "tool_result"), names.subList(0, 2));
            assertEquals("done", names.get(names.size() - 1));
        }
    }

    @Test
    void errorLineMidStreamEndsTheStreamWithAnErrorEvent() throws Exception {
        ollama.nextChat().fixture("error-midstream.ndjson");

        try (SseClient client = SseClient.post(RestAssured.port, PATH, "{\"message\":\"hi\"}")) {
            assertEquals(200, client.status());
            List<SseClient.Event> events = client.rest();
            assertEquals(List.of("token", "error"), events.stream().map(SseClient.Event::name).toList());
            JsonNode error = json(events.get(1));
            assertEquals(502, error.get("status").asInt());
            assertTrue(error.get("detail").asText().contains("an error was encountered while running the model"));
            assertTrue(error.get("detail").asText().contains(ollama.url()));
        }
    }

    @Test
    void modelNotFoundBeforeTheFirstEventIsAProblemNotAStream() throws Exception {
        ollama.nextChat().fail(404, "error-model-not-found-404.json");

        try (SseClient client = SseClient.post(RestAssured.port, PATH, "{\"message\":\"hi\"}")) {
            assertEquals(502, client.status());
            assertEquals("application/problem+json", client.header("content-type"));
            JsonNode problem = MAPPER.readTree(client.body());
            assertEquals("urn:ollama-chat:problem:ollama-model-not-found", problem.get("type").asText());
            assertTrue(problem.get("detail").asText().contains("ollama pull llama3.1:8b"));
        }
    }

    @Test
    void badInputIsAProblemOnPostAndGet() throws Exception {
        try (SseClient client = SseClient.post(RestAssured.port, PATH, "{\"message\":\"  \"}")) {
            assertEquals(400, client.status());
            assertEquals("urn:ollama-chat:problem:invalid-request",
                    MAPPER.readTree(client.body()).get("type").asText());
        }
        try (SseClient client = SseClient.post(RestAssured.port, PATH, "{not json")) {
            assertEquals(400, client.status());
            assertEquals("urn:ollama-chat:problem:invalid-json", MAPPER.readTree(client.body()).get("type").asText());
        }
        try (SseClient client = SseClient.get(RestAssured.port, PATH + "?message=hi&conversationId=bad%20id")) {
            assertEquals(400, client.status());
            assertTrue(MAPPER.readTree(client.body()).get("detail").asText().contains("conversationId"));
        }
        assertEquals(0, ollama.chatBodies().size(), "nothing reached Ollama");
    }

    @Test
    void getWorksForEventSource() throws Exception {
        ollama.nextChat().line(ScriptedOllama.token("Hi")).line(ScriptedOllama.done(3, 1));
        String query = "?message=" + URLEncoder.encode("Hello there", StandardCharsets.UTF_8);
        try (SseClient client = SseClient.get(RestAssured.port, PATH + query)) {
            assertEquals(200, client.status());
            assertEquals(List.of("token", "done"), client.rest().stream().map(SseClient.Event::name).toList());
        }
        assertTrue(ollama.chatBodies().get(0).contains("Hello there"));
    }

    @Test
    void getTakesALongMessageInItsQuery() throws Exception {
        ollama.nextChat().line(ScriptedOllama.token("Read it")).line(ScriptedOllama.done(3, 1));
        String message = "Summarise this: " + "lorem ipsum, dolor & sit? ".repeat(800); // 20,816 characters
        String query = "?message=" + URLEncoder.encode(message, StandardCharsets.UTF_8);
        assertTrue(query.length() > 25_000, "the query is " + query.length() + " characters");
        try (SseClient client = SseClient.get(RestAssured.port, PATH + query)) {
            assertEquals(200, client.status());
            assertEquals(List.of("token", "done"), client.rest().stream().map(SseClient.Event::name).toList());
        }
        assertTrue(ollama.chatBodies().get(0).contains("dolor & sit?"));
    }

    @Test
    void keepAliveCommentsFlowWhileOllamaIsQuiet() throws Exception {
        // the test resource sets the keep-alive interval to 300 ms
        ollama.nextChat().line(ScriptedOllama.token("Thinking")).pause(1_000)
                .line(ScriptedOllama.token(" done")).line(ScriptedOllama.done(1, 2));
        try (SseClient client = SseClient.post(RestAssured.port, PATH, "{\"message\":\"hi\"}")) {
            List<SseClient.Event> events = client.rest();
            assertTrue(events.stream().anyMatch(e -> e.isComment() && e.data().equals("keep-alive")),
                    "a keep-alive comment during the quiet second: " + events);
            assertEquals("done", events.get(events.size() - 1).name());
        }
    }

    @Test
    void disconnectCancelsTheOllamaRequestAndKeepsThePartialReplyMarked() throws Exception {
        ScriptedOllama.Script script = ollama.nextChat().longStory();
        LogCapture log = new LogCapture("");
        log.start();

        String conversationId = "disconnect-test";
        long closedAt;
        try (SseClient client = SseClient.post(RestAssured.port, PATH,
                "{\"message\":\"Tell me a long story\",\"conversationId\":\"" + conversationId + "\"}")) {
            assertEquals("token", client.next().name());
            closedAt = System.nanoTime();
        }
        assertTrue(ollama.awaitConnectionClosed(5, TimeUnit.SECONDS),
                "the fake Ollama saw its client go away after the SSE client left");
        long cancelMillis = TimeUnit.NANOSECONDS.toMillis(ollama.connectionClosedAtNanos() - closedAt);
        assertTrue(cancelMillis < 1_000, "Ollama's connection closed " + cancelMillis + " ms after the client left");
        assertTrue(script.linesWritten() < 100, "the stream stopped early: " + script.linesWritten() + " lines");

        // the conversation is free again, and remembers the cut-short reply as interrupted
        List<String> contents = given().when().get("/api/conversations/" + conversationId)
                .then().statusCode(200).extract().jsonPath().getList("messages.content");
        String last = contents.get(contents.size() - 1);
        assertTrue(last.startsWith("Once") && last.endsWith("[interrupted]"), last);
        ollama.nextChat().line(ScriptedOllama.token("Next")).line(ScriptedOllama.done(1, 1));
        try (SseClient client = SseClient.post(RestAssured.port, PATH,
                "{\"message\":\"Go on\",\"conversationId\":\"" + conversationId + "\"}")) {
            assertEquals(List.of("token", "done"), client.rest().stream().map(SseClient.Event::name).toList());
        }
        assertFalse(contents.isEmpty());
        log.stop();
        assertEquals(List.of(), log.atLeast(Level.SEVERE), "a client that is gone is no error of the service");
    }

    @Test
    void aClientThatLeavesBeforeTheFirstEventCancelsTheOllamaCallToo() throws Exception {
        Gate clientLeft = new Gate();
        ScriptedOllama.Script script = ollama.nextChat().awaitGate(clientLeft);
        for (int i = 0; i < 100; i++) {
            script.line(ScriptedOllama.token("late")).pause(20);
        }
        script.line(ScriptedOllama.done(1, 100));
        LogCapture log = new LogCapture("");
        log.start();
        java.net.Socket socket = new java.net.Socket("127.0.0.1", RestAssured.port);
        byte[] body = "{\"message\":\"hi\",\"conversationId\":\"left-early\"}".getBytes(StandardCharsets.UTF_8);
        socket.getOutputStream().write(("POST " + PATH + " HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().write(body);
        socket.getOutputStream().flush();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (ollama.chatBodies().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertFalse(ollama.chatBodies().isEmpty(), "the turn reached Ollama");
        socket.close();
        // the gate opens once the service has seen the client go (its active-streams gauge is back to 0), so the
        // Ollama call is cancelled before its first line, however slow the machine
        long seen = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!RestAssured.get("/q/metrics").asString().contains("ollama_chat_streams_active 0.0")
                && System.nanoTime() < seen) {
            Thread.sleep(10);
        }
        clientLeft.open();
        assertTrue(ollama.awaitConnectionClosed(5, TimeUnit.SECONDS),
                "the Ollama call was cancelled although no event had been sent yet");
        assertTrue(script.linesWritten() < 50, script.linesWritten() + " lines");
        // the conversation is free again at once
        ollama.nextChat().line(ScriptedOllama.token("Next")).line(ScriptedOllama.done(1, 1));
        try (SseClient client = SseClient.post(RestAssured.port, PATH,
                "{\"message\":\"again\",\"conversationId\":\"left-early\"}")) {
            assertEquals(List.of("token", "done"), client.rest().stream().map(SseClient.Event::name).toList());
        }
        log.stop();
        assertEquals(List.of(), log.atLeast(Level.SEVERE), "a client that is gone is no error of the service");
    }

    private static JsonNode json(SseClient.Event event) {
        try {
            return MAPPER.readTree(event.data());
        } catch (Exception e) {
            throw new AssertionError("event data is not JSON: " + event, e);
        }
    }
}
