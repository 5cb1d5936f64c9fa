package dev.ollamachat.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamachat.support.FakeOllama;
import dev.ollamachat.support.FakeOllamaResource;
import dev.ollamachat.support.FakeOllamaResource.InjectFakeOllama;
import dev.ollamachat.support.OtlpReceiver;
import dev.ollamachat.support.TelemetryResources;
import dev.ollamachat.support.TelemetryResources.InjectOtlpReceiver;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * POST /api/feedback against a receiver that answers Phoenix's REST API from the spans it was sent. The batch delay
 * is a minute here, so a trace reaches it only because feedback exports what is queued.
 */
@QuarkusTest
@TestProfile(FeedbackTest.WithKeysAndPhoenix.class)
class FeedbackTest {

    static final String ALICE_KEY = "alice-key-0123456789";
    static final String BOB_KEY = "bob-key-9876543210";

    public static class WithKeysAndPhoenix implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("ollama-chat.auth.api-keys", "alice:" + ALICE_KEY + ",bob:" + BOB_KEY,
                    "quarkus.otel.bsp.schedule.delay", "60s");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(FakeOllamaResource.class),
                    new TestResourceEntry(TelemetryResources.class));
        }
    }

    @InjectFakeOllama
    FakeOllama ollama;

    @InjectOtlpReceiver
    OtlpReceiver phoenix;

    @BeforeEach
    void reset() {
        ollama.reset();
        ollama.answerChatWith("5 + 3 is 9.", 12, 7);
        phoenix.answer();
        phoenix.reset();
    }

    @Test
    void aVerdictOnAnAnswerBecomesAHumanAnnotationOnItsTraceInPhoenix() {
        String traceId = chatAs(ALICE_KEY);
        assertTrue(phoenix.exports().isEmpty(), "nothing exported yet: the batch waits a minute");

        as(ALICE_KEY).body("{\"traceId\":\"" + traceId.toUpperCase() + "\",\"score\":-1,\"comment\":\"wrong sum\"}")
                .post("/api/feedback").then().statusCode(201)
                .body("traceId", equalTo(traceId))
                .body("project", equalTo(TelemetryResources.PROJECT))
                .body("annotation", equalTo("user feedback"))
                .body("annotationId", notNullValue())
                .body("score", equalTo(-1))
                .body("label", equalTo("bad"));

        List<OtlpReceiver.Annotation> stored = phoenix.annotations();
        assertEquals(1, stored.size());
        JsonNode annotation = stored.get(0).body();
        assertEquals(traceId, annotation.path("trace_id").asText());
        assertEquals("user feedback", annotation.path("name").asText());
        assertEquals("HUMAN", annotation.path("annotator_kind").asText());
        assertEquals("bad", annotation.path("result").path("label").asText());
        assertEquals(-1, annotation.path("result").path("score").asInt());
        assertEquals("wrong sum", annotation.path("result").path("explanation").asText());
        assertEquals("alice", annotation.path("metadata").path("user_id").asText());
        assertEquals("alice", annotation.path("identifier").asText(), "one verdict per user and answer");
        assertEquals("sync=true", stored.get(0).query(), "written before Phoenix answers, never dropped later");
        assertEquals("Bearer " + TelemetryResources.API_KEY, stored.get(0).headers().get("authorization"));
    }

    @Test
    void aSecondVerdictOfTheSameUserReplacesTheFirst() {
        String traceId = chatAs(ALICE_KEY);
        as(ALICE_KEY).body("{\"traceId\":\"" + traceId + "\",\"score\":1}").post("/api/feedback").then()
                .statusCode(201).body("label", equalTo("good"));
        as(ALICE_KEY).body("{\"traceId\":\"" + traceId + "\",\"score\":0,\"label\":\"so-so\"}")
                .post("/api/feedback").then().statusCode(201).body("label", equalTo("so-so"));
        List<OtlpReceiver.Annotation> stored = phoenix.annotations();
        assertEquals(1, stored.size());
        assertEquals("so-so", stored.get(0).body().path("result").path("label").asText());
        assertEquals(0, stored.get(0).body().path("result").path("score").asInt());
    }

    @Test
    void anotherKeyCannotJudgeAnAnswerItDidNotAskFor() {
        String traceId = chatAs(ALICE_KEY);
        as(BOB_KEY).body("{\"traceId\":\"" + traceId + "\",\"score\":-1}").post("/api/feedback").then()
                .statusCode(404)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:ollama-chat:problem:trace-not-found"));
        assertTrue(phoenix.annotations().isEmpty());
    }

    @Test
    void aTraceNoAnswerHadIsA404() {
        String unknown = HexFormat.of().formatHex(new byte[16]).replace('0', 'a');
        as(ALICE_KEY).body("{\"traceId\":\"" + unknown + "\",\"score\":1}").post("/api/feedback").then()
                .statusCode(404)
                .body("title", equalTo("Not found"))
                .body("detail", containsString(unknown));
        assertTrue(phoenix.annotations().isEmpty());
    }

    @Test
    void phoenixDownIsA503ThatSaysTheFeedbackWasNotSaved() {
        String traceId = chatAs(ALICE_KEY);
        phoenix.failWith(503);
        try {
            as(ALICE_KEY).body("{\"traceId\":\"" + traceId + "\",\"score\":1}").post("/api/feedback").then()
                    .statusCode(503)
                    .contentType("application/problem+json")
                    .body("type", equalTo("urn:ollama-chat:problem:phoenix-unavailable"))
                    .body("title", equalTo("Phoenix unavailable"))
                    .body("detail", containsString("Phoenix at " + phoenix.url()))
                    .body("detail", containsString("not saved"));
        } finally {
            phoenix.answer();
        }
        as(ALICE_KEY).body("{\"traceId\":\"" + traceId + "\",\"score\":1}").post("/api/feedback").then()
                .statusCode(201);
    }

    @Test
    void badFeedbackIsA400ThatSaysWhatToFix() {
        String valid = "0af7651916cd43dd8448eb211c80319c";
        bad("{\"score\":1}", "'traceId' is required");
        bad("{\"traceId\":\"xyz\",\"score\":1}", "'traceId' is required");
        bad("{\"traceId\":\"" + valid + "\"}", "'score' is required");
        bad("{\"traceId\":\"" + valid + "\",\"score\":2}", "'score' is required and must be 1 (good), 0 or -1");
        bad("{\"traceId\":\"" + valid + "\",\"score\":\"1\"}", "score");
        bad("{\"traceId\":\"" + valid + "\",\"score\":0.5}", "score");
        bad("{\"traceId\":\"" + valid + "\",\"score\":1,\"label\":\"" + "x".repeat(65) + "\"}", "'label' must be");
        bad("{\"traceId\":\"" + valid + "\",\"score\":1,\"comment\":\"" + "x".repeat(2001) + "\"}", "'comment'");
        assertTrue(phoenix.annotations().isEmpty());
    }

    @Test
    void feedbackNeedsAKey() {
        given().contentType(ContentType.JSON).body("{\"traceId\":\"0af7651916cd43dd8448eb211c80319c\",\"score\":1}")
                .post("/api/feedback").then().statusCode(401);
    }

    private void bad(String body, String detail) {
        as(ALICE_KEY).body(body).post("/api/feedback").then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("detail", containsString(detail));
    }

    private String chatAs(String key) {
        return as(key).body("{\"message\":\"Calculate 5 + 3\"}").post("/api/chat").then().statusCode(200)
                .extract().path("traceId");
    }

    private static RequestSpecification as(String key) {
        return given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON);
    }
}
