package dev.ollamachat.ollama;

import dev.ollamachat.ProblemException;
import dev.ollamachat.config.ChatConfig;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/** Asks Ollama which models it has and what they can do; failures come out as problems that name Ollama. */
@ApplicationScoped
public class OllamaCatalog {

    private final ChatConfig.Ollama config;
    private final OllamaApi api;
    private final Map<String, Boolean> toolSupport = new ConcurrentHashMap<>();
    /** Models asked for by name and found, with when that was seen (nanoTime): not asked again for a while. */
    private final Map<String, Long> foundModels = new ConcurrentHashMap<>();
    private static final long FOUND_MODEL_FOR_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(60);

    private final OllamaHosts hosts;

    OllamaCatalog(ChatConfig config, @RestClient OllamaApi api, OllamaHosts hosts) {
        this.config = config.ollama();
        this.api = api;
        this.hosts = hosts;
    }

    /** The model chats use (OLLAMA_MODEL). */
    public String modelName() {
        return config.model();
    }

    /** Ollama's base URL (OLLAMA_HOST; the first of OLLAMA_HOSTS). */
    public String baseUrl() {
        return hosts.firstUrl();
    }

    /** Blocking: the models one Ollama has. */
    public List<OllamaTags.Model> modelsOf(String ollama) {
        try {
            OllamaTags tags = api.tags(ollama);
            return tags == null || tags.models() == null ? List.of() : tags.models();
        } catch (RuntimeException e) {
            throw OllamaFailures.translate(e, ollama, config.model());
        }
    }

    /** What one Ollama of OLLAMA_HOSTS has now, or why it cannot say. */
    public record HostModels(String url, List<OllamaTags.Model> models, ProblemException problem) {
        public boolean reachable() {
            return problem == null;
        }

        public String error() {
            return problem == null ? null : problem.detail();
        }
    }

    /** Blocking: each Ollama in turn, with its models or its problem. */
    public List<HostModels> byHost() {
        return hosts.all().stream().map(host -> {
            try {
                return new HostModels(host.url(), modelsOf(host.url()), null);
            } catch (ProblemException e) {
                return new HostModels(host.url(), List.of(), e);
            }
        }).toList();
    }

    /**
     * Whether the model takes tools, from the capabilities Ollama reports (remembered per model). An Ollama too old
     * to report them, or one that cannot be asked, counts as yes: the chat call then says what is wrong.
     */
    public Uni<Boolean> supportsTools(String model) {
        Boolean known = toolSupport.get(model);
        if (known != null) {
            return Uni.createFrom().item(known);
        }
        return api.show(hosts.pick(java.util.Set.of()).url(), new OllamaShow.Request(model))
                .map(show -> show == null || show.capabilities() == null || show.capabilities().contains("tools"))
                .onFailure().recoverWithItem(true)
                .invoke(supported -> toolSupport.put(model, supported));
    }

    /**
     * The model a turn asked for, once Ollama is known to have it: OLLAMA_MODEL as it is (its absence is Ollama's
     * 404, a 502, and readiness says so), any other after a look at the model lists of the reachable Ollamas,
     * remembered for a minute. One that no Ollama lists is a 400 naming those they have.
     */
    public Uni<String> requireModel(String wanted) {
        if (wanted == null || wanted.equals(config.model())) {
            return Uni.createFrom().item(config.model());
        }
        Long seen = foundModels.get(wanted);
        if (seen != null && System.nanoTime() - seen < FOUND_MODEL_FOR_NANOS) {
            return Uni.createFrom().item(wanted);
        }
        List<Uni<HostModels>> lists = hosts.all().stream().map(host -> api.tagsAsync(host.url())
                .map(tags -> new HostModels(host.url(), tags == null || tags.models() == null ? List.of()
                        : tags.models(), null))
                .onFailure().recoverWithItem(failure -> new HostModels(host.url(), List.of(),
                        OllamaFailures.translate(failure, host.url(), wanted))))
                .toList();
        return Uni.join().all(lists).andFailFast().map(byHost -> {
            if (byHost.stream().noneMatch(HostModels::reachable)) {
                throw byHost.get(0).problem();
            }
            List<OllamaTags.Model> available = byHost.stream().flatMap(host -> host.models().stream()).toList();
            if (!contains(available, wanted)) {
                List<String> names = available.stream().map(OllamaTags.Model::name).distinct().sorted().toList();
                throw new ProblemException(400, "unknown-model", "Unknown model", "Ollama has no model '" + wanted
                        + "'; it has: " + (names.isEmpty() ? "none" : String.join(", ", names))
                        + " (GET /api/models lists them; 'ollama pull " + wanted + "' adds it)");
            }
            foundModels.put(wanted, System.nanoTime());
            return wanted;
        });
    }

    /** True when a model of that name is present; "llama3.1" matches "llama3.1:latest". */
    public static boolean contains(List<OllamaTags.Model> models, String wanted) {
        String normalized = wanted.contains(":") ? wanted : wanted + ":latest";
        return models.stream().anyMatch(m -> normalized.equals(m.name()) || normalized.equals(m.model())
                || wanted.equals(m.name()));
    }
}
