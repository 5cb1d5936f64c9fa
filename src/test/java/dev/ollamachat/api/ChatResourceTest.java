package dev.ollamachat.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamachat.support.FakeOllama;
import dev.ollamachat.support.FakeOllamaResource;
import dev.ollamachat.support.FakeOllamaResource.InjectFakeOllama;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(FakeOllamaResource.class)
class ChatResourceTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @InjectFakeOllama
    FakeOllama ollama;

    @BeforeEach
    void resetOllama() {
        ollama.reset();
    }

    @Test
    void plainAnswerCarriesReplyModelUsageAndNewConversationId() throws Exception {
        ollama.answerChatWith("Hello! How are you today?", 26, 298);

        given().contentType(ContentType.JSON).body("{\"message\":\"Hi there\"}")
                .when().post("/api/chat")
                .then().statusCode(200)
                .body("reply", equalTo("Hello! How are you today?"))
                .body("model", equalTo(FakeOllama.MODEL))
                .body("usage.inputTokens", equalTo(26))
                .body("usage.outputTokens", equalTo(298))
                .body("toolCalls", hasSize(0))
                .body("warnings", hasSize(0))
                .body("conversationId", matchesPattern("[0-9a-f-]{36}"));

        var requests = ollama.chatRequests();
        assertEquals(1, requests.size());
        JsonNode sent = MAPPER.readTree(requests.get(0).getBodyAsString());
        assertEquals(FakeOllama.MODEL, sent.get("model").asText());
        assertTrue(sent.get("stream").asBoolean(false),
                "one engine for both endpoints: the blocking one collects the same stream");
        assertFalse(sent.has("options"), "nothing is sent that was not configured (no temperature)");
        JsonNode messages = sent.get("messages");
        assertEquals("system", messages.get(0).get("role").asText());
        assertEquals("user", messages.get(messages.size() - 1).get("role").asText());
        assertEquals("Hi there", messages.get(messages.size() - 1).get("content").asText());
        List<String> offered = new ArrayList<>();
        sent.get("tools").forEach(t -> offered.add(t.get("function").get("name").asText()));
        assertEquals(List.of("add", "divide", "multiply", "subtract"), offered.stream().sorted().toList());
    }

    @Test
    void toolRoundTripRunsTheBuiltInCalculatorOverMcp() throws Exception {
        ollama.answerWithToolCall("add", "{\"a\":5,\"b\":3}", "The result of 5 + 3 is 8.");

        given().contentType(ContentType.JSON).body("{\"message\":\"Calculate 5 + 3\"}")
                .when().post("/api/chat")
                .then().statusCode(200)
                .body("reply", equalTo("The result of 5 + 3 is 8."))
                .body("toolCalls", hasSize(1))
                .body("toolCalls[0].name", equalTo("add"))
                .body("toolCalls[0].server", equalTo("calculator"))
                .body("toolCalls[0].arguments.a", equalTo(5))
                .body("toolCalls[0].arguments.b", equalTo(3))
                .body("toolCalls[0].result", equalTo("The sum of 5 and 3 is 8."))
                .body("toolCalls[0].error", nullValue())
                .body("usage.inputTokens", equalTo(187 + 229))
                .body("usage.outputTokens", equalTo(22 + 13));

        var requests = ollama.chatRequests();
        assertEquals(2, requests.size(), "one model call to ask for the tool, one with its result");
        JsonNode second = MAPPER.readTree(requests.get(1).getBodyAsString());
        JsonNode toolMessage = second.get("messages").get(second.get("messages").size() - 1);
        assertEquals("tool", toolMessage.get("role").asText());
        assertEquals("The sum of 5 and 3 is 8.", toolMessage.get("content").asText());
        JsonNode askedFor = second.get("messages").get(second.get("messages").size() - 2);
        assertEquals("add", askedFor.get("tool_calls").get(0).get("function").get("name").asText());
        assertTrue(askedFor.get("tool_calls").get(0).get("function").get("arguments").isObject(),
                "tool arguments go back to Ollama as a JSON object");
    }

    @Test
    void ollamaIsAskedAboutTheModelsCapabilitiesOnceNotOnEveryChat() {
        ollama.answerChatWith("Hi.", 1, 1); // this fake has no /api/show: it answers 404, and the model counts as able
        for (int i = 0; i < 3; i++) {
            given().contentType(ContentType.JSON).body("{\"message\":\"hello\"}")
                    .when().post("/api/chat").then().statusCode(200);
        }
        int asked = ollama.wireMock().findAll(com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(
                com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo("/api/show"))).size();
        assertTrue(asked <= 1, "asked " + asked + " times for 3 chats");
    }

    @Test
    void numbersSentAsStringsAreAccepted() {
        ollama.answerWithToolCall("multiply", "{\"a\":\"6\",\"b\":\" 7 \"}", "6 times 7 is 42.");

        given().contentType(ContentType.JSON).body("{\"message\":\"What is 6 times 7?\"}")
                .when().post("/api/chat")
                .then().statusCode(200)
                .body("toolCalls[0].name", equalTo("multiply"))
                .body("toolCalls[0].result", equalTo("The product of 6 and 7 is 42."))
                .body("reply", equalTo("6 times 7 is 42."));
    }

    @Test
    void divideByZeroIsAToolErrorTheModelSees() throws Exception {
        ollama.answerWithToolCall("divide", "{\"a\":1,\"b\":0}", "Dividing by zero is undefined.");

        given().contentType(ContentType.JSON).body("{\"message\":\"What is 1 / 0?\"}")
                .when().post("/api/chat")
                .then().statusCode(200)
                .body("toolCalls[0].name", equalTo("divide"))
                .body("toolCalls[0].result", nullValue())
                .body("toolCalls[0].error", containsString("cannot divide by zero"))
                .body("reply", equalTo("Dividing by zero is undefined."));

        JsonNode second = MAPPER.readTree(ollama.chatRequests().get(1).getBodyAsString());
        JsonNode toolMessage = second.get("messages").get(second.get("messages").size() - 1);
        assertEquals("tool", toolMessage.get("role").asText());
        assertTrue(toolMessage.get("content").asText().contains("cannot divide by zero"),
                "the model is told why the tool failed: " + toolMessage);
    }

    @Test
    void argumentThatIsNotANumberIsAToolError() {
        ollama.answerWithToolCall("add", "{\"a\":\"five\",\"b\":3}", "I could not add those.");

        given().contentType(ContentType.JSON).body("{\"message\":\"Add five and 3\"}")
                .when().post("/api/chat")
                .then().statusCode(200)
                .body("toolCalls[0].error", containsString("must be a number"))
                .body("reply", equalTo("I could not add those."));
    }


    @Test
    void unknownToolIsReportedToTheModelNotToTheUser() throws Exception {
        ollama.answerWithToolCall("sqrt", "{\"x\":9}", "I cannot take square roots.");

        given().contentType(ContentType.JSON).body("{\"message\":\"What is the square root of 9?\"}")
                .when().post("/api/chat")
                .then().statusCode(200)
                .body("reply", equalTo("I cannot take square roots."));

        JsonNode second = MAPPER.readTree(ollama.chatRequests().get(1).getBodyAsString());
        JsonNode toolMessage = second.get("messages").get(second.get("messages").size() - 1);
        assertTrue(toolMessage.get("content").asText().contains("no tool named 'sqrt'"), toolMessage.toString());
    }
}
