package dev.ollamachat.api;

import dev.ollamachat.ollama.OllamaCatalog;
import dev.ollamachat.ollama.OllamaTags;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

@Path("/api/models")
public class ModelResource {

    private final OllamaCatalog catalog;

    ModelResource(OllamaCatalog catalog) {
        this.catalog = catalog;
    }

    /** The models Ollama has, with the one this service chats with marked. */
    @APIResponse(responseCode = "200", description = "The models Ollama has")
    @APIResponse(responseCode = "401", ref = "Problem401")
    @APIResponse(responseCode = "429", ref = "Problem429")
    @APIResponse(responseCode = "502", ref = "Problem502")
    @APIResponse(responseCode = "503", ref = "Problem503")
    @APIResponse(responseCode = "504", ref = "Problem504")
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public ModelsView models() {
        String configured = catalog.modelName();
        List<OllamaCatalog.HostModels> hosts = catalog.byHost();
        if (hosts.stream().noneMatch(OllamaCatalog.HostModels::reachable)) {
            throw hosts.get(0).problem();
        }
        Map<String, OllamaTags.Model> available = new LinkedHashMap<>();
        hosts.forEach(host -> host.models().forEach(m -> available.putIfAbsent(m.name(), m)));
        List<ModelView> views = available.values().stream()
                .map(m -> new ModelView(m.name(), m.size(), m.modifiedAt(),
                        m.details() == null ? null : m.details().family(),
                        m.details() == null ? null : m.details().parameterSize(),
                        m.details() == null ? null : m.details().quantizationLevel(),
                        OllamaCatalog.contains(List.of(m), configured)))
                .toList();
        List<HostView> hostViews = hosts.stream()
                .map(h -> new HostView(h.url(), h.reachable(), OllamaCatalog.contains(h.models(), configured),
                        h.models().stream().map(OllamaTags.Model::name).toList(), h.error()))
                .toList();
        return new ModelsView(configured, OllamaCatalog.contains(List.copyOf(available.values()), configured), views,
                hostViews);
    }

    /** The models the reachable Ollamas have (each name once), and what each Ollama has. */
    public record ModelsView(String configuredModel, boolean configuredModelAvailable, List<ModelView> models,
            List<HostView> hosts) {
    }

    /** One Ollama of OLLAMA_HOSTS (or the one OLLAMA_HOST): reachable or not, and its model names. */
    public record HostView(String url, boolean reachable, boolean configuredModelAvailable, List<String> models,
            @Schema(nullable = true) String error) {
    }

    public record ModelView(String name, Long size, String modifiedAt, String family, String parameterSize,
            String quantization, boolean configured) {
    }
}
