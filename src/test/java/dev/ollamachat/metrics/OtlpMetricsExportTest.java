package dev.ollamachat.metrics;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ollamachat.support.FakeOllama;
import dev.ollamachat.support.FakeOllamaResource;
import dev.ollamachat.support.FakeOllamaResource.InjectFakeOllama;
import dev.ollamachat.support.OtlpReceiver;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** OTEL_EXPORTER_OTLP_METRICS_ENDPOINT set: the GenAI metrics are pushed over OTLP as well. */
@QuarkusTest
@TestProfile(OtlpMetricsExportTest.WithCollector.class)
class OtlpMetricsExportTest {

    public static class WithCollector implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(FakeOllamaResource.class),
                    new TestResourceEntry(Collector.class));
        }
    }

    /** An OTLP metrics collector in the test's process. */
    public static class Collector implements QuarkusTestResourceLifecycleManager {
        static OtlpReceiver receiver;

        @Override
        public Map<String, String> start() {
            receiver = new OtlpReceiver();
            receiver.start();
            return Map.of("ollama-chat.telemetry.metrics-endpoint", receiver.url() + "/v1/metrics",
                    "ollama-chat.telemetry.metrics-export-interval", "1s");
        }

        @Override
        public void stop() {
            receiver.stop();
        }
    }

    @InjectFakeOllama
    FakeOllama ollama;

    @Test
    void theGenAiMetricsArePushedOverOtlp() throws Exception {
        ollama.reset();
        ollama.answerChatWith("Pushed.", 7, 3);
        given().contentType(ContentType.JSON).body("{\"message\":\"hi\"}").when().post("/api/chat")
                .then().statusCode(200);
        Set<String> names = new TreeSet<>();
        List<String> wanted = List.of("gen_ai.client.token.usage", "gen_ai.client.operation.duration",
                "ollama_chat.chat.turns");
        long deadline = System.nanoTime() + 15_000_000_000L;
        // the turn is counted as it ends, which one export may just miss: wait for the push that has all three
        while (System.nanoTime() < deadline && !names.containsAll(wanted)) {
            for (byte[] body : Collector.receiver.metricsExports()) {
                ExportMetricsServiceRequest request = ExportMetricsServiceRequest.parseFrom(body);
                request.getResourceMetricsList().forEach(resource -> resource.getScopeMetricsList()
                        .forEach(scope -> scope.getMetricsList().forEach(metric -> names.add(metric.getName()))));
            }
            Thread.sleep(200);
        }
        assertFalse(Collector.receiver.metricsExports().isEmpty(), "the collector got metrics");
        assertTrue(names.containsAll(wanted), names.toString());
    }
}
