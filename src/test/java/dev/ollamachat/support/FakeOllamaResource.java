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
        ollama = create();
        ollama.start();
        // a short Ollama timeout, so that the 504 test waits seconds; set here so the packaged app (ITs) gets it too
        return Map.of("ollama-chat.ollama.host", ollama.url(), "ollama-chat.ollama.timeout", "3s");
    }

    protected FakeOllama create() {
        return new FakeOllama();
    }

    /** The fake with the default answers of its mapping files, as scripts and dev mode see it. */
    public static class WithDefaultAnswers extends FakeOllamaResource {

        @Override
        protected FakeOllama create() {
            return FakeOllama.withDefaultAnswers();
        }
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
