package dev.ollamachat.telemetry;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ollamachat.support.FakeOllama;
import dev.ollamachat.support.FakeOllamaResource;
import dev.ollamachat.support.FakeOllamaResource.InjectFakeOllama;
import dev.ollamachat.support.LogCapture;
import dev.ollamachat.support.OtlpReceiver;
import dev.ollamachat.support.TelemetryResources;
import dev.ollamachat.support.TelemetryResources.InjectOtlpReceiver;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Phoenix up but failing: it answers 503 (its queue is full) or takes the export and never answers. Chats go on, the
 * failure is one warning that says why, and the recovery is said once.
 */
@QuarkusTest
@TestProfile(PhoenixFailingTest.PhoenixFailing.class)
class PhoenixFailingTest {

    public static class PhoenixFailing implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("ollama-chat.telemetry.export-timeout", "3s"); // a 503 of the stub, even on a loaded machine, comes sooner
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

    private final LogCapture log = new LogCapture(FailureReportingExporter.class.getName());

    @BeforeEach
    void listen() {
        ollama.reset();
        ollama.answerChatWith("Still here.", 5, 2);
        log.start();
    }

    @AfterEach
    void stopListening() {
        log.stop();
        phoenix.answer();
    }

    @Test
    void phoenixAnswering503IsOneWarningSayingSo() throws InterruptedException {
        phoenix.failWith(503);
        chatTwice();
        LogRecord warning = log.await(Level.WARNING, "answered HTTP 503");
        assertTrue(warning.getMessage().contains("Chats are not affected"), warning.getMessage());
        recoveryIsSaidOnce();
    }

    @Test
    void phoenixNeverAnsweringIsOneWarningSayingSo() throws InterruptedException {
        phoenix.hang();
        chatTwice();
        log.await(Level.WARNING, "no answer within 3000 ms");
        recoveryIsSaidOnce();
    }

    private void recoveryIsSaidOnce() throws InterruptedException {
        phoenix.answer();
        chatTwice();
        log.await(Level.INFO, "works again");
        List<LogRecord> warnings = log.records(Level.WARNING);
        assertEquals(1, warnings.size(), "one warning for the whole outage: " + warnings);
    }

    private void chatTwice() {
        for (int i = 0; i < 2; i++) {
            given().contentType(ContentType.JSON).body("{\"message\":\"ping\"}")
                    .when().post("/api/chat")
                    .then().statusCode(200).body("reply", equalTo("Still here."));
        }
    }
}
