package dev.ollamachat.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.exception.ToolExecutionException;
import dev.langchain4j.mcp.client.McpClient;
import dev.langchain4j.service.tool.ToolExecutionResult;
import dev.langchain4j.service.tool.ToolProvider;
import dev.langchain4j.service.tool.ToolProviderRequest;
import dev.langchain4j.service.tool.ToolProviderResult;
import dev.ollamachat.chat.Conversation;
import dev.ollamachat.chat.ConversationStore;
import dev.ollamachat.chat.ToolCall;
import io.quarkus.arc.Unremovable;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/**
 * Offers the model the tools of all MCP servers, runs them, and records each call (and each unreachable server)
 * on the conversation's current turn.
 */
@Unremovable
@ApplicationScoped
public class McpToolbox implements ToolProvider {

    private final McpServers servers;
    private final ConversationStore conversations;
    private final ObjectMapper json;

    McpToolbox(McpServers servers, ConversationStore conversations, ObjectMapper json) {
        this.servers = servers;
        this.conversations = conversations;
        this.json = json;
    }

    @Override
    public ToolProviderResult provideTools(ToolProviderRequest request) {
        McpServers.ToolCatalog catalog = servers.catalog();
        Optional<Conversation.Turn> turn = turnOf(request.chatMemoryId());
        turn.ifPresent(t -> catalog.unavailable().forEach(e -> t.warn(e.getMessage() + "; its tools were not offered")));
        ToolProviderResult.Builder result = ToolProviderResult.builder();
        for (McpServers.McpTool tool : catalog.tools()) {
            result.add(tool.specification(), (call, memoryId) -> execute(tool.server(), call, memoryId));
        }
        return result.build();
    }

    String execute(McpServerConnection server, ToolExecutionRequest call, Object memoryId) {
        Object arguments = parseArguments(call.arguments());
        String result = null;
        String error = null;
        try {
            McpClient client = server.connected();
            try {
                ToolExecutionResult executed = client.executeTool(call);
                if (executed.isError()) {
                    error = executed.resultText();
                } else {
                    result = executed.resultText();
                }
            } catch (ToolExecutionException e) {
                error = e.getMessage();
            } catch (RuntimeException e) {
                throw server.disconnect(client, e);
            }
        } catch (McpServerUnavailableException e) {
            error = e.getMessage();
        }
        ToolCall record = new ToolCall(call.name(), server.name(), arguments, result, error);
        turnOf(memoryId).ifPresent(t -> t.recordToolCall(record));
        return error == null ? result : "Error: " + error;
    }

    private Optional<Conversation.Turn> turnOf(Object memoryId) {
        if (memoryId == null) {
            return Optional.empty();
        }
        return conversations.find(memoryId.toString()).map(Conversation::currentTurn);
    }

    private Object parseArguments(String arguments) {
        if (arguments == null || arguments.isBlank()) {
            return java.util.Map.of();
        }
        try {
            return json.readTree(arguments);
        } catch (JsonProcessingException e) {
            return arguments;
        }
    }
}
