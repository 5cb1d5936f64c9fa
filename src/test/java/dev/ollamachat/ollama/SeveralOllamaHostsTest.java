package dev.ollamachat.ollama;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ollamachat.support.FakeOllama;
import dev.ollamachat.support.SseClient;
import dev.ollamachat.support.TwoOllamasResource;
import dev.ollamachat.support.TwoOllamasResource.InjectOllamas;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** OLLAMA_HOSTS: chats spread over two Ollamas, and go on on the other when one stops mid-run. */
@QuarkusTest
@TestProfile(SeveralOllamaHostsTest.TwoHosts.class)
class SeveralOllamaHostsTest {

    public static class TwoHosts implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(TwoOllamasResource.class));
        }
    }

    @InjectOllamas
    FakeOllama[] ollamas;

    @Test
    void chatsSpreadOverTheHostsAndNoneFailsWhenOneStops() throws Exception {
        for (FakeOllama ollama : ollamas) {
            ollama.reset();
            ollama.answerChatWith("Served.", 3, 2);
        }
        for (int i = 0; i < 6; i++) {
            chat(i);
        }
        int first = ollamas[0].chatRequests().size();
        int second = ollamas[1].chatRequests().size();
        assertTrue(first >= 2 && second >= 2, "spread over both hosts: " + first + " and " + second);

        given().when().get("/api/models").then().statusCode(200)
                .body("hosts", hasSize(2))
                .body("hosts[0].reachable", equalTo(true))
                .body("hosts[1].reachable", equalTo(true));

        ollamas[0].stop();
        for (int i = 6; i < 16; i++) {
            chat(i);
        }
        try (SseClient stream = SseClient.post(RestAssured.port, "/api/chat/stream", "{\"message\":\"streamed\"}")) {
            List<SseClient.Event> events = stream.rest();
            assertEquals("done", events.get(events.size() - 1).name(), events.toString());
        }
        assertTrue(ollamas[1].chatRequests().size() >= second + 11, "the other host served the rest");

        given().when().get("/api/models").then().statusCode(200)
                .body("hosts[0].reachable", equalTo(false))
                .body("hosts[1].reachable", equalTo(true));
        given().when().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'ollama' }.data.'reachable.1'", equalTo(false))
                .body("checks.find { it.name == 'ollama' }.data.'reachable.2'", equalTo(true));
    }

    private static void chat(int i) {
        given().contentType(ContentType.JSON).body("{\"message\":\"question " + i + "\"}")
                .when().post("/api/chat").then().statusCode(200).body("reply", equalTo("Served."));
    }
}
