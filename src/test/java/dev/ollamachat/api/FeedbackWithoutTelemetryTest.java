package dev.ollamachat.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.ollamachat.support.FakeOllamaResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

/**
 * Feedback with telemetry off (the tests' default): no answer has a trace, so every trace id is a 404 that says why.
 * (Not run against the packaged jar, which runs with telemetry on.)
 */
@QuarkusTest
@WithTestResource(FakeOllamaResource.class)
class FeedbackWithoutTelemetryTest {

    @Test
    void feedbackIsA404ThatSaysTelemetryIsOff() {
        given().contentType(ContentType.JSON).body("{\"traceId\":\"0af7651916cd43dd8448eb211c80319c\",\"score\":1}")
                .when().post("/api/feedback")
                .then().statusCode(404)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:ollama-chat:problem:trace-not-found"))
                .body("detail", containsString("telemetry is off"));
    }
}
