package dev.ollamachat.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Map;

/** Starts a {@link ScriptedOllama} for the application under test and injects it where tests ask for it. */
public class ScriptedOllamaResource implements QuarkusTestResourceLifecycleManager {

    private ScriptedOllama ollama;

    @Override
    public Map<String, String> start() {
        ollama = new ScriptedOllama();
        ollama.start();
        return Map.of("ollama-chat.ollama.host", ollama.url(), "ollama-chat.stream-keep-alive", "300ms");
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(ollama, new TestInjector.AnnotatedAndMatchesType(InjectScriptedOllama.class,
                ScriptedOllama.class));
    }

    @Override
    public void stop() {
        if (ollama != null) {
            ollama.stop();
        }
    }

    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface InjectScriptedOllama {
    }
}
