package dev.ollamachat.ollama;

/** Ollama answered a chat call with an HTTP error status; {@link OllamaFailures} says what it means. */
final class OllamaStatusException extends RuntimeException {

    private final int status;
    private final String body;

    OllamaStatusException(int status, String body) {
        super("Ollama answered HTTP " + status, null, false, false);
        this.status = status;
        this.body = body;
    }

    int status() {
        return status;
    }

    /** The answer's body (Ollama's {"error": ...}), or null when it could not be read. */
    String body() {
        return body;
    }
}
