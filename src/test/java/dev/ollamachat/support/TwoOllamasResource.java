package dev.ollamachat.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Map;

/** Two fake Ollamas as OLLAMA_HOSTS, injectable as {@code @InjectOllamas FakeOllama[]} (first, second). */
public class TwoOllamasResource implements QuarkusTestResourceLifecycleManager {

    private final FakeOllama[] ollamas = {new FakeOllama(), new FakeOllama()};

    @Override
    public Map<String, String> start() {
        for (FakeOllama ollama : ollamas) {
            ollama.start();
        }
        return Map.of("ollama-chat.ollama.hosts", ollamas[0].url() + "," + ollamas[1].url(),
                "ollama-chat.ollama.timeout", "3s");
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(ollamas, new TestInjector.AnnotatedAndMatchesType(InjectOllamas.class,
                FakeOllama[].class));
    }

    @Override
    public void stop() {
        for (FakeOllama ollama : ollamas) {
            ollama.stop();
        }
    }

    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface InjectOllamas {
    }
}
