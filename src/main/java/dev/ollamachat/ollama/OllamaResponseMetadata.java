package dev.ollamachat.ollama;

import dev.langchain4j.model.chat.response.ChatResponseMetadata;

/** LangChain4j's response metadata plus what a streamed Ollama call measured: the time to its first token. */
public final class OllamaResponseMetadata extends ChatResponseMetadata {

    private final Long timeToFirstTokenNanos;

    private OllamaResponseMetadata(Builder builder) {
        super(builder);
        this.timeToFirstTokenNanos = builder.timeToFirstTokenNanos;
    }

    /** Nanoseconds from the request to the first piece of text; null when the reply had no text. */
    public Long timeToFirstTokenNanos() {
        return timeToFirstTokenNanos;
    }

    public static Builder ollamaBuilder() {
        return new Builder();
    }

    public static final class Builder extends ChatResponseMetadata.Builder<Builder> {
        private Long timeToFirstTokenNanos;

        public Builder timeToFirstTokenNanos(Long nanos) {
            this.timeToFirstTokenNanos = nanos;
            return this;
        }

        @Override
        public OllamaResponseMetadata build() {
            return new OllamaResponseMetadata(this);
        }
    }
}
