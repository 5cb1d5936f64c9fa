package dev.ollamachat.ollama;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.ollamachat.config.ChatConfig;
import io.quarkiverse.langchain4j.jaxrsclient.JaxRsHttpClientBuilder;
import io.quarkus.arc.Unremovable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import java.util.List;

/**
 * Builds the Ollama chat model from run-time settings. quarkus-langchain4j fixes the model id at build time,
 * so the model is built here from OLLAMA_HOST and OLLAMA_MODEL as read when the service starts.
 */
@Unremovable
@ApplicationScoped
public class OllamaModels {

    private final ChatConfig.Ollama config;
    private final List<ChatModelListener> listeners;
    private volatile ChatModel chatModel;

    OllamaModels(ChatConfig config, @Any Instance<ChatModelListener> listeners) {
        this.config = config.ollama();
        this.listeners = listeners.stream().toList();
    }

    public String modelName() {
        return config.model();
    }

    public String baseUrl() {
        return config.host();
    }

    public ChatModel chatModel() {
        ChatModel model = chatModel;
        if (model == null) {
            synchronized (this) {
                if (chatModel == null) {
                    chatModel = buildChatModel();
                }
                model = chatModel;
            }
        }
        return model;
    }

    private ChatModel buildChatModel() {
        OllamaChatModel.OllamaChatModelBuilder builder = OllamaChatModel.builder()
                .httpClientBuilder(new JaxRsHttpClientBuilder())
                .baseUrl(config.host())
                .modelName(config.model())
                .timeout(config.timeout())
                .maxRetries(0)
                .listeners(listeners);
        config.temperature().ifPresent(builder::temperature);
        return builder.build();
    }
}
