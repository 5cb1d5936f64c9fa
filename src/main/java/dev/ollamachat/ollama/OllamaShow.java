package dev.ollamachat.ollama;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/** The part of Ollama's {@code POST /api/show} answer this service reads: what the model can do. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record OllamaShow(List<String> capabilities) {

    public record Request(String model) {
    }
}
