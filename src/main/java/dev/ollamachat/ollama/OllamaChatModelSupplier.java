package dev.ollamachat.ollama;

import dev.langchain4j.model.chat.ChatModel;
import io.quarkus.arc.Arc;
import java.util.function.Supplier;

/** Hands the AI service the chat model built from run-time settings (instantiated by quarkus-langchain4j). */
public class OllamaChatModelSupplier implements Supplier<ChatModel> {

    @Override
    public ChatModel get() {
        return Arc.container().instance(OllamaModels.class).get().chatModel();
    }
}
