package dev.ollamachat.mcp;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamachat.support.EverythingMcpServer;
import dev.ollamachat.support.EverythingMcpServerResource;
import dev.ollamachat.support.FakeOllama;
import dev.ollamachat.support.FakeOllamaResource;
import dev.ollamachat.support.FakeOllamaResource.InjectFakeOllama;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Our MCP client against a real MCP server that nobody on this project wrote: the reference server
 * {@value EverythingMcpServer#PACKAGE}@{@value EverythingMcpServer#VERSION}, run with Node.js over streamable
 * HTTP as the application's primary MCP server. Needs Node.js and npm on the PATH, and the npm registry on the
 * first run (the package is cached, see {@link EverythingMcpServer}).
 */
@QuarkusTest
@TestProfile(EverythingMcpInteropTest.WithEverythingServer.class)
class EverythingMcpInteropTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String SERVER = EverythingMcpServerResource.SERVER_NAME;
    private static final String SUM = "The sum of 5 and 3 is 8.";

    /** Its own application instance, with the fake Ollama and the everything server as the primary MCP server. */
    public static class WithEverythingServer implements QuarkusTestProfile {

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(FakeOllamaResource.class),
                    new TestResourceEntry(EverythingMcpServerResource.class));
        }
    }

    @InjectFakeOllama
    FakeOllama ollama;

    @BeforeEach
    void resetOllama() {
        ollama.reset();
    }

    @Test
    void toolListComesFromTheEverythingServer() throws Exception {
        JsonNode body = MAPPER.readTree(given().when().get("/api/tools")
                .then().statusCode(200).extract().asString());

        JsonNode everything = null;
        for (JsonNode server : body.get("servers")) {
            if (SERVER.equals(server.get("name").asText())) {
                everything = server;
            }
        }
        assertNotNull(everything, "the everything server is listed: " + body.get("servers"));
        assertTrue(everything.get("available").asBoolean(), "the everything server is available: " + everything);
        assertFalse(everything.has("error"), "no error for the everything server: " + everything);
        assertTrue(everything.get("url").asText().matches("http://127\\.0\\.0\\.1:\\d+/mcp"), everything.toString());

        Map<String, JsonNode> tools = new HashMap<>();
        body.get("tools").forEach(t -> tools.put(t.get("name").asText(), t));
        for (String name : List.of("add", "echo", "printEnv", "longRunningOperation")) {
            assertTrue(tools.containsKey(name), name + " is listed: " + tools.keySet());
            assertEquals(SERVER, tools.get(name).get("server").asText(), name + " comes from the everything server");
        }
        JsonNode add = tools.get("add");
        assertEquals("Adds two numbers", add.get("description").asText());
        JsonNode schema = add.get("inputSchema");
        assertEquals("object", schema.get("type").asText());
        assertEquals("number", schema.get("properties").get("a").get("type").asText());
        assertEquals("number", schema.get("properties").get("b").get("type").asText());
        assertEquals(Set.of("a", "b"), names(schema.get("required")));
    }

    @Test
    void addRunsOnTheEverythingServerAndItsResultGoesBackToTheModel() throws Exception {
        ollama.answerWithToolCall("add", "{\"a\":5,\"b\":3}", "The result of 5 + 3 is 8.");

        given().contentType(ContentType.JSON).body("{\"message\":\"Calculate 5 + 3\"}")
                .when().post("/api/chat")
                .then().statusCode(200)
                .body("reply", equalTo("The result of 5 + 3 is 8."))
                .body("toolCalls", hasSize(1))
                .body("toolCalls[0].name", equalTo("add"))
                .body("toolCalls[0].server", equalTo(SERVER))
                .body("toolCalls[0].arguments.a", equalTo(5))
                .body("toolCalls[0].arguments.b", equalTo(3))
                .body("toolCalls[0].result", equalTo(SUM))
                .body("toolCalls[0].error", nullValue())
                .body("warnings", hasSize(0));

        var requests = ollama.chatRequests();
        assertEquals(2, requests.size(), "one model call to ask for the tool, one with its result");

        JsonNode first = MAPPER.readTree(requests.get(0).getBodyAsString());
        Map<String, JsonNode> offered = new HashMap<>();
        first.get("tools").forEach(t -> offered.put(t.get("function").get("name").asText(), t.get("function")));
        assertTrue(offered.containsKey("add"), "add is offered to the model: " + offered.keySet());
        assertTrue(offered.containsKey("echo"), "the other everything tools are offered too: " + offered.keySet());
        JsonNode addParameters = offered.get("add").get("parameters");
        assertEquals("number", addParameters.get("properties").get("a").get("type").asText(), addParameters.toString());
        assertEquals(Set.of("a", "b"), names(addParameters.get("required")));

        JsonNode messages = MAPPER.readTree(requests.get(1).getBodyAsString()).get("messages");
        JsonNode toolMessage = messages.get(messages.size() - 1);
        assertEquals("tool", toolMessage.get("role").asText(), messages.toString());
        assertEquals(SUM, toolMessage.get("content").asText());
        JsonNode askedFor = messages.get(messages.size() - 2).get("tool_calls").get(0).get("function");
        assertEquals("add", askedFor.get("name").asText());
        assertEquals(5, askedFor.get("arguments").get("a").asInt());
        assertEquals(3, askedFor.get("arguments").get("b").asInt());
    }

    @Test
    void theServerRunsWithACleanEnvironment() throws Exception {
        ollama.answerWithToolCall("printEnv", "{}", "Here is the environment.");

        String result = given().contentType(ContentType.JSON).body("{\"message\":\"Print the environment\"}")
                .when().post("/api/chat")
                .then().statusCode(200)
                .body("toolCalls[0].name", equalTo("printEnv"))
                .body("toolCalls[0].server", equalTo(SERVER))
                .body("toolCalls[0].error", nullValue())
                .extract().path("toolCalls[0].result");

        List<String> variables = new ArrayList<>();
        MAPPER.readTree(result).fieldNames().forEachRemaining(variables::add);
        assertEquals(Set.of("PATH", "PORT"), new TreeSet<>(variables),
                "the test server sees nothing of the test's environment but PATH and PORT");
    }

    private static Set<String> names(JsonNode array) {
        Set<String> names = new TreeSet<>();
        array.forEach(n -> names.add(n.asText()));
        return names;
    }
}
