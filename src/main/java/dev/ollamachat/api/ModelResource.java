package dev.ollamachat.api;

import dev.ollamachat.ollama.OllamaCatalog;
import dev.ollamachat.ollama.OllamaTags;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

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
        List<OllamaTags.Model> available = catalog.models();
        List<ModelView> views = available.stream()
                .map(m -> new ModelView(m.name(), m.size(), m.modifiedAt(),
                        m.details() == null ? null : m.details().family(),
                        m.details() == null ? null : m.details().parameterSize(),
                        m.details() == null ? null : m.details().quantizationLevel(),
                        OllamaCatalog.contains(List.of(m), configured)))
                .toList();
        return new ModelsView(configured, OllamaCatalog.contains(available, configured), views);
    }

    public record ModelsView(String configuredModel, boolean configuredModelAvailable, List<ModelView> models) {
    }

    public record ModelView(String name, Long size, String modifiedAt, String family, String parameterSize,
            String quantization, boolean configured) {
    }
}
