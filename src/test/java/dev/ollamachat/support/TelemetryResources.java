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
        Map<String, String> config = new java.util.HashMap<>(Map.of(
                "ollama-chat.telemetry.enabled", "true",
                "ollama-chat.telemetry.endpoint", receiver.url() + "/v1/traces",
                "ollama-chat.telemetry.project-name", PROJECT,
                "ollama-chat.telemetry.projects", OTHER_PROJECT,
                "ollama-chat.telemetry.api-key", API_KEY,
                "quarkus.otel.bsp.schedule.delay", "50ms"));
        config.putAll(prepare(receiver));
        return config;
    }

    /** Further settings, and what the receiver serves before the service starts; none here. */
    protected Map<String, String> prepare(OtlpReceiver receiver) {
        return Map.of();
    }

    /** Telemetry as above, and PHOENIX_PROMPT naming a prompt the receiver serves, read again every second. */
    public static class WithPhoenixPrompt extends TelemetryResources {

        public static final String PROMPT = "pirate";
        public static final String TAG = "production";
        public static final String VERSION = "UHJvbXB0VmVyc2lvbjox";
        public static final String TEXT = "You are a pirate. Answer in pirate speak.";

        @Override
        protected Map<String, String> prepare(OtlpReceiver receiver) {
            receiver.servePrompt(PROMPT, TAG, VERSION, TEXT);
            return Map.of("ollama-chat.telemetry.prompt", PROMPT + "@" + TAG,
                    "ollama-chat.telemetry.prompt-refresh", "1s");
        }
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
