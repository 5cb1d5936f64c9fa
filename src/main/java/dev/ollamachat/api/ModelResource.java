package dev.ollamachat.api;

import dev.ollamachat.ollama.OllamaCatalog;
import dev.ollamachat.ollama.OllamaTags;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
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
    @APIResponse(responseCode = "401", description = "CHAT_API_KEYS is set and the request has no valid key", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "429", description = "More requests than RATE_LIMIT allows", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "502", description = "Ollama answered with an error", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "Ollama cannot be reached", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "504", description = "Ollama did not answer in time", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class)))
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
