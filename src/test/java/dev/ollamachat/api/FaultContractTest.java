package dev.ollamachat.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamachat.support.FakeOllama;
import dev.ollamachat.support.LogCapture;
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
import io.restassured.response.Response;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.logging.Level;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The fault contract of the README's error table, row by row, on both endpoints: the JSON one and the SSE one run
 * the same engine and must answer each fault the same way (an SSE stream that has started says it in an
 * {@code error} event that carries the same problem).
 */
@QuarkusTest
@TestProfile(FaultContractTest.Profile.class)
class FaultContractTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("ollama-chat.max-tool-rounds", "2", "ollama-chat.mcp.tool-timeout", "1s");
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

    enum Endpoint {
        JSON, SSE
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void malformedLineFromOllamaIs502AndTheCutReplyIsKeptMarked(Endpoint endpoint) throws Exception {
        ollama.nextChat().line(ScriptedOllama.token("Hel")).line("{this is not json");
        Answer answer = chat(endpoint, "say hello");
        answer.assertProblem(502, "ollama-bad-response");
        assertTrue(answer.problem().get("detail").asText().contains("{this is not json"), answer.toString());
        assertEquals("Hel [interrupted]", lastMessage(answer.conversationId()));
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void streamThatEndsWithoutDoneIs502AndNotStoredAsComplete(Endpoint endpoint) throws Exception {
        ollama.nextChat().line(ScriptedOllama.token("Hel")).line(ScriptedOllama.token("lo"));
        Answer answer = chat(endpoint, "say hello");
        answer.assertProblem(502, "ollama-stream-cut");
        assertEquals("Hello [interrupted]", lastMessage(answer.conversationId()));
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void connectionResetMidStreamIs502(Endpoint endpoint) throws Exception {
        ollama.nextChat().line(ScriptedOllama.token("Hel")).abort();
        long started = System.nanoTime();
        Answer answer = chat(endpoint, "say hello");
        answer.assertProblem(502, "ollama-error");
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) < 2_000,
                "a reset is seen at once, not after OLLAMA_TIMEOUT (3 s here)");
        assertEquals("Hel [interrupted]", lastMessage(answer.conversationId()));
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void toolWhoseServerWentAwayIsAToolErrorTheModelSees(Endpoint endpoint) throws Exception {
        awaitToolOffered(StoppableMcpServer.TOOL);
        ollama.nextChat().run(mcp::stop).answer(FakeOllama.toolCall(StoppableMcpServer.TOOL, "{\"word\":\"x\"}"));
        ollama.nextChat().answer(FakeOllama.reply("The lookup service is down.", 9, 6));
        try {
            Answer answer = chat(endpoint, "look x up");
            assertEquals(200, answer.status(), answer.toString());
            JsonNode call = answer.toolCalls().get(0);
            assertEquals(StoppableMcpServer.TOOL, call.get("name").asText());
            assertTrue(call.has("error") && call.get("error").asText().contains("MCP server 'stoppable'"), call.toString());
            assertNull(call.get("result"));
            assertEquals("The lookup service is down.", answer.reply());
            assertTrue(lastToolMessageSent().get("content").asText().startsWith("Error: "),
                    "the model was told: " + lastToolMessageSent());
        } finally {
            mcp.start();
        }
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void toolThatDoesNotAnswerInTimeIsAToolErrorNotAResult(Endpoint endpoint) throws Exception {
        awaitToolOffered(StoppableMcpServer.SLOW_TOOL);
        ollama.nextChat().answer(FakeOllama.toolCall(StoppableMcpServer.SLOW_TOOL, "{}"));
        ollama.nextChat().answer(FakeOllama.reply("The lookup took too long.", 9, 6));
        Answer answer = chat(endpoint, "look it up slowly");
        assertEquals(200, answer.status(), answer.toString());
        JsonNode call = answer.toolCalls().get(0);
        assertNull(call.get("result"), call.toString());
        assertTrue(call.has("error") && call.get("error").asText().contains("did not answer within 1000 ms"),
                call.toString());
        assertTrue(lastToolMessageSent().get("content").asText().startsWith("Error: "));
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void unknownToolIsListedWithItsErrorAndTheModelIsTold(Endpoint endpoint) throws Exception {
        ollama.nextChat().answer(FakeOllama.toolCall("sqrt", "{\"x\":9}"));
        ollama.nextChat().answer(FakeOllama.reply("I cannot take square roots.", 9, 6));
        Answer answer = chat(endpoint, "square root of 9?");
        assertEquals(200, answer.status(), answer.toString());
        JsonNode call = answer.toolCalls().get(0);
        assertEquals("sqrt", call.get("name").asText());
        assertTrue(call.get("error").asText().contains("no tool named 'sqrt'"), call.toString());
        assertTrue(lastToolMessageSent().get("content").asText().contains("no tool named 'sqrt'"));
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void toolCallIdsFromOllamaAreKeptEndToEnd(Endpoint endpoint) throws Exception {
        ollama.nextChat().answer(FakeOllama.toolCall("add", "{\"a\":5,\"b\":3}"));
        ollama.nextChat().answer(FakeOllama.reply("8.", 9, 1));
        Answer answer = chat(endpoint, "5 + 3?");
        assertEquals("call_k3x9q2ab", answer.toolCalls().get(0).get("id").asText(), answer.toString());
        JsonNode second = MAPPER.readTree(ollama.chatBodies().get(1));
        JsonNode messages = second.get("messages");
        JsonNode assistant = messages.get(messages.size() - 2);
        assertEquals("call_k3x9q2ab", assistant.get("tool_calls").get(0).get("id").asText());
        assertEquals("call_k3x9q2ab", messages.get(messages.size() - 1).get("tool_call_id").asText());
        assertEquals("add", messages.get(messages.size() - 1).get("tool_name").asText());
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void afterMaxToolRoundsTheModelIsAskedOnceMoreWithoutTools(Endpoint endpoint) throws Exception {
        ollama.nextChat().answer(FakeOllama.toolCall("add", "{\"a\":1,\"b\":1}"));
        ollama.nextChat().answer(FakeOllama.toolCall("add", "{\"a\":2,\"b\":2}"));
        ollama.nextChat().answer(FakeOllama.reply("Enough adding.", 9, 2));
        Answer answer = chat(endpoint, "add forever");
        assertEquals(200, answer.status(), answer.toString());
        assertEquals(2, answer.toolCalls().size());
        assertEquals("Enough adding.", answer.reply());
        assertTrue(answer.warnings().toString().contains("MAX_TOOL_ROUNDS"), answer.warnings().toString());
        List<String> bodies = ollama.chatBodies();
        assertEquals(3, bodies.size());
        assertTrue(MAPPER.readTree(bodies.get(1)).has("tools"));
        assertFalse(MAPPER.readTree(bodies.get(2)).has("tools"), "the last call offers no tools");
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void aModelThatCallsToolsEvenWhenOfferedNoneIsStoppedWith502(Endpoint endpoint) throws Exception {
        for (int i = 0; i < 3; i++) {
            ollama.nextChat().answer(FakeOllama.toolCall("add", "{\"a\":1,\"b\":1}"));
        }
        Answer answer = chat(endpoint, "add forever");
        answer.assertProblem(502, "too-many-tool-calls");
        assertEquals(3, ollama.chatBodies().size());
    }

    @Test
    void jsonClientThatGoesAwayCancelsTheOllamaCall() throws Exception {
        ScriptedOllama.Script script = ollama.nextChat().longStory();
        LogCapture log = new LogCapture("");
        log.start();
        String conversationId = "json-client-leaves";
        byte[] body = ("{\"message\":\"Tell me a long story\",\"conversationId\":\"" + conversationId + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/chat HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            out.write(body);
            out.flush();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (script.linesWritten() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(script.linesWritten() >= 3, "Ollama had started answering");
        }
        assertTrue(ollama.awaitConnectionClosed(5, TimeUnit.SECONDS),
                "the fake Ollama saw its client go away after the JSON client left");
        assertTrue(script.linesWritten() < 100, "the stream stopped early: " + script.linesWritten() + " lines");
        String last = lastMessage(conversationId);
        assertTrue(last.startsWith("Once upon") && last.endsWith("[interrupted]"), last);
        log.stop();
        assertEquals(List.of(), log.atLeast(Level.SEVERE), "a client that is gone is no error of the service");
    }

    // ---- the two endpoints, seen the same way

    private Answer chat(Endpoint endpoint, String message) throws Exception {
        String conversationId = "fault-" + UUID.randomUUID();
        String body = MAPPER.writeValueAsString(Map.of("message", message, "conversationId", conversationId));
        if (endpoint == Endpoint.JSON) {
            Response response = given().contentType(ContentType.JSON).body(body).when().post("/api/chat");
            JsonNode json = MAPPER.readTree(response.asString());
            return response.statusCode() == 200 ? new Answer(200, conversationId, null, json)
                    : new Answer(response.statusCode(), conversationId, json, null);
        }
        try (SseClient client = SseClient.post(RestAssured.port, "/api/chat/stream", body)) {
            if (client.status() != 200) {
                return new Answer(client.status(), conversationId, MAPPER.readTree(client.body()), null);
            }
            ObjectNode reply = MAPPER.createObjectNode();
            ArrayNode toolCalls = reply.putArray("toolCalls");
            StringBuilder text = new StringBuilder();
            for (SseClient.Event event : client.rest()) {
                if (event.isComment()) {
                    continue;
                }
                JsonNode data = MAPPER.readTree(event.data());
                switch (event.name()) {
                    case "token" -> text.append(data.get("text").asText());
                    case "tool_call" -> text.setLength(0);
                    case "tool_result" -> toolCalls.add(data);
                    case "done" -> reply.set("warnings", data.get("warnings"));
                    case "error" -> {
                        return new Answer(data.get("status").asInt(), conversationId, data, null);
                    }
                    default -> throw new AssertionError("unexpected event " + event);
                }
            }
            reply.put("reply", text.toString());
            return new Answer(200, conversationId, null, reply);
        }
    }

    /** A chat's outcome: a reply, or a problem (a JSON answer's body, or an SSE stream's error event). */
    private record Answer(int status, String conversationId, JsonNode problem, JsonNode body) {
        void assertProblem(int expectedStatus, String slug) {
            assertEquals(expectedStatus, status, toString());
            assertEquals("urn:ollama-chat:problem:" + slug, problem.get("type").asText(), toString());
            assertFalse(problem.get("detail").asText().isBlank());
        }

        List<JsonNode> toolCalls() {
            return List.copyOf(MAPPER.convertValue(body.get("toolCalls"),
                    MAPPER.getTypeFactory().constructCollectionType(List.class, JsonNode.class)));
        }

        String reply() {
            return body.get("reply").asText();
        }

        JsonNode warnings() {
            return body.get("warnings");
        }
    }

    private JsonNode lastToolMessageSent() throws Exception {
        List<String> bodies = ollama.chatBodies();
        JsonNode messages = MAPPER.readTree(bodies.get(bodies.size() - 1)).get("messages");
        return messages.get(messages.size() - 1);
    }

    private static String lastMessage(String conversationId) {
        List<String> contents = given().when().get("/api/conversations/" + conversationId)
                .then().statusCode(200).extract().jsonPath().getList("messages.content");
        return contents.get(contents.size() - 1);
    }

    /** After a test stopped the MCP server, the service offers its tool again once it reconnects (5 s back-off). */
    private static void awaitToolOffered(String tool) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            List<String> offered = given().when().get("/api/tools").then().statusCode(200)
                    .extract().jsonPath().getList("tools.name");
            if (offered.contains(tool)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(tool + " was not offered again within 15 s");
    }
}
