package dev.ollamachat.ollama;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** Ollama's {@code GET /api/version} answer. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record OllamaVersion(String version) {
}
