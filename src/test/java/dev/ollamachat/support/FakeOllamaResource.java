package dev.ollamachat.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Map;

/** Starts a {@link FakeOllama} for the application under test and injects it where tests ask for it. */
public class FakeOllamaResource implements QuarkusTestResourceLifecycleManager {

    private FakeOllama ollama;

    @Override
    public Map<String, String> start() {
        ollama = new FakeOllama();
        ollama.start();
        // a short Ollama timeout, so that the 504 test waits seconds; set here so the packaged app (ITs) gets it too
        return Map.of("ollama-chat.ollama.host", ollama.url(), "ollama-chat.ollama.timeout", "3s");
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(ollama, new TestInjector.AnnotatedAndMatchesType(InjectFakeOllama.class,
                FakeOllama.class));
    }

    @Override
    public void stop() {
        if (ollama != null) {
            ollama.stop();
        }
    }

    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface InjectFakeOllama {
    }
}
