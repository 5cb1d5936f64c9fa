package dev.ollamachat.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Map;

/**
 * Telemetry on, exported to an in-process OTLP receiver under the endpoint spelling of the guide
 * ({@code .../v1/traces}), filed under project {@code calculator-frontend}, with an API key.
 */
public class TelemetryResources implements QuarkusTestResourceLifecycleManager {

    public static final String PROJECT = "calculator-frontend";
    /** A further project a request may name (PHOENIX_PROJECTS). */
    public static final String OTHER_PROJECT = "support-desk";
    public static final String API_KEY = "test-secret-key";
    private OtlpReceiver receiver;

    @Override
    public Map<String, String> start() {
        receiver = new OtlpReceiver();
        receiver.start();
        return Map.of(
                "ollama-chat.telemetry.enabled", "true",
                "ollama-chat.telemetry.endpoint", receiver.url() + "/v1/traces",
                "ollama-chat.telemetry.project-name", PROJECT,
                "ollama-chat.telemetry.projects", OTHER_PROJECT,
                "ollama-chat.telemetry.api-key", API_KEY,
                "quarkus.otel.bsp.schedule.delay", "50ms");
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(receiver, new TestInjector.AnnotatedAndMatchesType(InjectOtlpReceiver.class,
                OtlpReceiver.class));
    }

    @Override
    public void stop() {
        if (receiver != null) {
            receiver.stop();
        }
    }

    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface InjectOtlpReceiver {
    }
}
