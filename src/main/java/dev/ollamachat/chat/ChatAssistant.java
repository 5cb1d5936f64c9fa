package dev.ollamachat.chat;

import dev.langchain4j.service.MemoryId;
import dev.langchain4j.service.Result;
import dev.langchain4j.service.SystemMessage;
import dev.langchain4j.service.UserMessage;
import dev.ollamachat.mcp.McpToolProviderSupplier;
import dev.ollamachat.ollama.OllamaChatModelSupplier;
import io.quarkiverse.langchain4j.RegisterAiService;
import jakarta.enterprise.context.ApplicationScoped;

/** The LangChain4j AI service: an Ollama chat model with the tools of the configured MCP servers. */
@RegisterAiService(
        chatLanguageModelSupplier = OllamaChatModelSupplier.class,
        toolProviderSupplier = McpToolProviderSupplier.class,
        toolHallucinationStrategy = UnknownToolAnswer.class)
@ApplicationScoped
public interface ChatAssistant {

    String SYSTEM_PROMPT = """
            You are a helpful assistant running on a local model.
            When a question needs arithmetic, call the calculator tools instead of computing it yourself,
            then answer in one short sentence that states the result.
            """;

    @SystemMessage(SYSTEM_PROMPT)
    Result<String> chat(@MemoryId String conversationId, @UserMessage String message);
}
