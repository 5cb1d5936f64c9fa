package dev.ollamachat.ollama;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** Ollama's {@code GET /api/tags} answer. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record OllamaTags(List<Model> models) {

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Model(String name, String model, Long size, @JsonProperty("modified_at") String modifiedAt,
            Details details) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Details(String family, @JsonProperty("parameter_size") String parameterSize,
            @JsonProperty("quantization_level") String quantizationLevel) {
    }
}
