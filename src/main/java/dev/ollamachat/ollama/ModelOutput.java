package dev.ollamachat.ollama;

import dev.langchain4j.model.chat.response.ChatResponse;

/** What one streamed model call yields: pieces of text as they come, then the whole response once. */
public sealed interface ModelOutput {

    /** A piece of the reply's text. */
    record Text(String text) implements ModelOutput {
    }

    /** The last item: the assembled reply (text and tool calls), token counts and finish reason. */
    record Complete(ChatResponse response) implements ModelOutput {
    }
}
