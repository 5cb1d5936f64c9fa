package dev.ollamachat.ollama;

import dev.ollamachat.config.ChatConfig;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** Asks Ollama which models it has; failures come out as problems that name Ollama. */
@ApplicationScoped
public class OllamaCatalog {

    private final ChatConfig.Ollama config;
    private final OllamaApi api;
    private final Map<String, Boolean> toolSupport = new ConcurrentHashMap<>();

    OllamaCatalog(ChatConfig config) {
        this.config = config.ollama();
        long timeoutMs = this.config.probeTimeout().toMillis();
        this.api = QuarkusRestClientBuilder.newBuilder()
                .baseUri(URI.create(this.config.host()))
                .connectTimeout(timeoutMs, TimeUnit.MILLISECONDS)
                .readTimeout(timeoutMs, TimeUnit.MILLISECONDS)
                .build(OllamaApi.class);
    }

    public String modelName() {
        return config.model();
    }

    public List<OllamaTags.Model> models() {
        try {
            OllamaTags tags = api.tags();
            return tags == null || tags.models() == null ? List.of() : tags.models();
        } catch (RuntimeException e) {
            throw OllamaFailures.translate(e, config.host(), config.model());
        }
    }

    /**
     * Whether the model takes tools, from the capabilities Ollama reports (remembered per model). An Ollama too old
     * to report them, or one that cannot be asked, counts as yes: the chat call then says what is wrong.
     */
    public boolean supportsTools(String model) {
        return toolSupport.computeIfAbsent(model, m -> {
            try {
                OllamaShow show = api.show(new OllamaShow.Request(m));
                return show == null || show.capabilities() == null || show.capabilities().contains("tools");
            } catch (RuntimeException e) {
                return true;
            }
        });
    }

    /** True when a model of that name is present; "llama3.1" matches "llama3.1:latest". */
    public static boolean contains(List<OllamaTags.Model> models, String wanted) {
        String normalized = wanted.contains(":") ? wanted : wanted + ":latest";
        return models.stream().anyMatch(m -> normalized.equals(m.name()) || normalized.equals(m.model())
                || wanted.equals(m.name()));
    }
}
